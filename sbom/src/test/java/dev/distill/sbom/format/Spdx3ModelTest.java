package dev.distill.sbom.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.sbom.SbomTesting;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import java.io.ByteArrayInputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.spdx.library.model.v3_0_1.core.Element;
import org.spdx.library.model.v3_0_1.core.Hash;
import org.spdx.library.model.v3_0_1.core.RelationshipType;
import org.spdx.library.model.v3_0_1.core.SpdxDocument;
import org.spdx.library.model.v3_0_1.software.SoftwarePurpose;
import org.spdx.library.model.v3_0_1.software.SpdxPackage;
import org.spdx.storage.simple.InMemSpdxStore;
import org.spdx.v3jsonldstore.JsonLDStore;

/**
 * Every fixture's SPDX 3 document read back with spdx-java-library's SPDX 3 model: the model's own checks pass,
 * the document's root is a software_Sbom rooted at the image, every relationship between packages has the type
 * the SBOM gives it (containment is contains, not dependsOn), and archives carry their digests.
 */
class Spdx3ModelTest {
    @ParameterizedTest
    @FieldSource("dev.distill.sbom.SbomTesting#FIXTURES")
    void theModelReadsWhatTheSbomSays(String fixture) throws Exception {
        Sbom sbom = SbomTesting.sbom(SbomTesting.fixture(fixture));
        byte[] doc = SbomTesting.render(sbom, "spdx3-json");
        SpdxDocument d = new JsonLDStore(new InMemSpdxStore(), true).deSerialize(new ByteArrayInputStream(doc), false);
        assertEquals(List.of(), d.verify(), fixture + ": the SPDX 3 model's checks");
        Element root = d.getRootElements().iterator().next();
        var bom = assertInstanceOf(org.spdx.library.model.v3_0_1.software.Sbom.class, root);
        SpdxPackage image = assertInstanceOf(SpdxPackage.class, bom.getRootElements().iterator().next());
        assertEquals(sbom.source().digest() != null ? SoftwarePurpose.CONTAINER : SoftwarePurpose.FILE,
                image.getPrimaryPurpose().orElseThrow());

        Map<String, Package> byKey = new HashMap<>();
        sbom.packages().forEach(p -> byKey.put(p.name() + "@" + p.version(), p));
        TreeSet<String> expected = new TreeSet<>();
        for (Relationship r : sbom.relationships()) {
            expected.add(key(sbom.pkg(r.from())) + " " + r.type() + " " + key(sbom.pkg(r.to())));
        }
        TreeSet<String> actual = new TreeSet<>();
        for (Element e : d.getElements()) {
            if (e instanceof org.spdx.library.model.v3_0_1.core.Relationship r && r.getFrom() instanceof SpdxPackage from
                    && byKey.containsKey(key(from))) {
                for (Element to : r.getTos()) {
                    if (to instanceof SpdxPackage t && byKey.containsKey(key(t))) {
                        actual.add(key(from) + " " + type(r.getRelationshipType()) + " " + key(t));
                    }
                }
            }
            if (e instanceof SpdxPackage p && byKey.containsKey(key(p)) && byKey.get(key(p)).hashes() != null) {
                Package model = byKey.get(key(p));
                Map<String, String> hashes = new HashMap<>();
                for (var h : p.getVerifiedUsings()) {
                    hashes.put(((Hash) h).getAlgorithm().name(), ((Hash) h).getHashValue());
                }
                assertEquals(Map.of("SHA1", model.hashes().sha1(), "SHA256", model.hashes().sha256()), hashes,
                        fixture + ": " + key(p));
            }
        }
        assertEquals(expected, actual, fixture);
    }

    private static String type(RelationshipType t) {
        assertTrue(t == RelationshipType.CONTAINS || t == RelationshipType.DEPENDS_ON, t.toString());
        return t == RelationshipType.CONTAINS ? "CONTAINS" : "DEPENDS_ON";
    }

    private static String key(Package p) {
        return p.name() + "@" + p.version();
    }

    private static String key(SpdxPackage p) throws Exception {
        return p.getName().orElse("") + "@" + p.getPackageVersion().orElse("");
    }
}
