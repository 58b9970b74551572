package dev.distill.sbom.format;

import dev.distill.sbom.model.Distro;
import dev.distill.sbom.model.Package;
import dev.distill.sbom.model.Relationship;
import dev.distill.sbom.model.Sbom;
import dev.distill.sbom.model.SourceInfo;
import dev.distill.sbom.model.Unknown;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cyclonedx.Version;
import org.cyclonedx.generators.BomGeneratorFactory;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.model.Dependency;
import org.cyclonedx.model.Evidence;
import org.cyclonedx.model.ExternalReference;
import org.cyclonedx.model.Hash;
import org.cyclonedx.model.LicenseChoice;
import org.cyclonedx.model.Metadata;
import org.cyclonedx.model.OrganizationalEntity;
import org.cyclonedx.model.Property;
import org.cyclonedx.model.component.evidence.Occurrence;
import org.cyclonedx.model.license.Expression;
import org.cyclonedx.model.metadata.ToolInformation;

/**
 * CycloneDX JSON or XML through cyclonedx-core-java, schema 1.6 by default, 1.7, 1.5 and 1.4 on request.
 * cyclonedx-core-java (12.2.0, the newest published) stops at 1.6; 1.7 only adds to 1.6, so a 1.7 document is
 * the 1.6 one with 1.7's spec version (JSON) or namespace (XML), held to the 1.7 schemas in the tests. The image is
 * the metadata component; the distro an operating-system component; each package a library with its purl, CPE,
 * license expression and where it was found (properties, and evidence occurrences from 1.5 on).
 */
public final class CycloneDxWriter implements SbomWriter {
    /** The schema version written when none is asked for; 1.7 on request until consumers read it widely. */
    public static final String DEFAULT_VERSION = "1.6";
    private static final String V17 = "1.7";

    private final Version version;
    private final String spec;
    private final boolean xml;

    /** A writer of CycloneDX {@code spec} (1.4 to 1.7; null for the default). */
    public CycloneDxWriter(String spec, boolean xml) {
        this.spec = spec == null ? DEFAULT_VERSION : spec;
        this.version = version(this.spec);
        this.xml = xml;
    }

    /** The library version that writes a spec version (1.6 for 1.7, see above). */
    static Version version(String v) {
        return switch (v) {
            case "1.4" -> Version.VERSION_14;
            case "1.5" -> Version.VERSION_15;
            case "1.6", V17 -> Version.VERSION_16;
            default -> throw new IllegalArgumentException("CycloneDX version " + v
                    + " is not supported (1.4, 1.5, 1.6, 1.7)");
        };
    }

    @Override
    public void prepare() {
        try {
            if (xml) {
                BomGeneratorFactory.createXml(version, new Bom()).toXmlString();
            } else {
                BomGeneratorFactory.createJson(version, new Bom()).toJsonString();
            }
        } catch (org.cyclonedx.exception.GeneratorException | RuntimeException e) {
            // write() will meet and report whatever this met
        }
    }

    @Override
    public void write(Sbom sbom, OutputStream out) throws IOException {
        Bom bom = toBom(sbom);
        String text;
        try {
            text = xml ? BomGeneratorFactory.createXml(version, bom).toXmlString()
                    : BomGeneratorFactory.createJson(version, bom).toJsonString();
        } catch (org.cyclonedx.exception.GeneratorException e) {
            throw new IOException("cannot write CycloneDX: " + e.getMessage(), e);
        }
        // The library ends lines with the platform's separator; pin it so output is the same everywhere.
        text = text.replace("\r\n", "\n");
        if (spec.equals(V17)) {
            text = as17(text);
        }
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    /**
     * The 1.6 document as 1.7: the spec version (JSON) or namespace (XML) of the root, which the library writes
     * before any content of the SBOM, so nothing a package says can be touched.
     */
    private String as17(String text) {
        String from = xml ? "xmlns=\"http://cyclonedx.org/schema/bom/1.6\"" : "\"specVersion\" : \"1.6\"";
        String to = xml ? "xmlns=\"http://cyclonedx.org/schema/bom/1.7\"" : "\"specVersion\" : \"1.7\"";
        int at = text.indexOf(from);
        int content = text.indexOf(xml ? "<metadata" : "\"metadata\"");
        if (at < 0 || content >= 0 && at > content) {
            throw new IllegalStateException("CycloneDX 1.6 output without its " + (xml ? "namespace" : "specVersion")
                    + " where expected");
        }
        return text.substring(0, at) + to + text.substring(at + from.length());
    }

    Bom toBom(Sbom sbom) {
        Bom bom = new Bom();
        bom.setSerialNumber("urn:uuid:" + ContentIds.uuid(sbom));
        bom.setVersion(1);
        Metadata md = new Metadata();
        md.setTimestamp(Date.from(sbom.created()));
        Component tool = new Component();
        tool.setType(Component.Type.APPLICATION);
        tool.setName(sbom.tool().name());
        tool.setVersion(sbom.tool().version());
        if (version.getVersion() >= Version.VERSION_15.getVersion()) {
            ToolInformation ti = new ToolInformation();
            ti.setComponents(List.of(tool));
            md.setToolChoice(ti);
        } else {
            @SuppressWarnings("deprecation")
            org.cyclonedx.model.Tool legacy = new org.cyclonedx.model.Tool();
            legacy.setName(sbom.tool().name());
            legacy.setVersion(sbom.tool().version());
            @SuppressWarnings("deprecation")
            List<org.cyclonedx.model.Tool> tools = List.of(legacy);
            setLegacyTools(md, tools);
        }
        md.setComponent(subject(sbom.source()));
        List<Property> mdProps = new ArrayList<>();
        int i = 0;
        for (Unknown u : sbom.unknowns()) {
            mdProps.add(new Property("distill:unknown:" + i++, u.cataloger() + ": " + u.path() + ": " + u.message()));
        }
        if (!mdProps.isEmpty()) {
            md.setProperties(mdProps);
        }
        bom.setMetadata(md);

        List<Component> components = new ArrayList<>();
        if (sbom.distro() != null) {
            components.add(os(sbom.distro()));
        }
        Map<String, String> parents = Containment.parents(sbom);
        Map<String, List<String>> others = Containment.otherContainers(sbom, parents);
        Map<String, Component> byId = new TreeMap<>();
        for (Package p : sbom.packages()) {
            byId.put(p.id(), component(p, others.getOrDefault(p.id(), List.of())));
        }
        // Package-in-package containment (a shaded jar, python3-requests holding requests) is nesting in CycloneDX.
        for (Package p : sbom.packages()) {
            String parent = parents.get(p.id());
            if (parent == null) {
                components.add(byId.get(p.id()));
            } else {
                byId.get(parent).addComponent(byId.get(p.id()));
            }
        }
        bom.setComponents(components);

        Map<String, List<String>> deps = new TreeMap<>();
        for (Package p : sbom.packages()) {
            deps.put(p.id(), new ArrayList<>());
        }
        for (Relationship r : sbom.relationships()) {
            if (r.type() == Relationship.Type.DEPENDS_ON && deps.containsKey(r.from())) {
                deps.get(r.from()).add(r.to());
            }
        }
        List<Dependency> dependencies = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : deps.entrySet()) {
            Dependency d = new Dependency(e.getKey());
            e.getValue().stream().sorted().forEach(to -> d.addDependency(new Dependency(to)));
            dependencies.add(d);
        }
        bom.setDependencies(dependencies);
        return bom;
    }

    @SuppressWarnings("deprecation")
    private static void setLegacyTools(Metadata md, List<org.cyclonedx.model.Tool> tools) {
        md.setTools(tools); // CycloneDX 1.4 only knows the legacy tools array
    }

    private static Component subject(SourceInfo s) {
        Component c = new Component();
        boolean image = s.digest() != null;
        c.setType(image ? Component.Type.CONTAINER : Component.Type.FILE);
        c.setBomRef(image ? s.purl() : "dir:" + s.name());
        c.setName(s.name());
        c.setVersion(image ? s.digest() : null);
        if (image) {
            c.setPurl(s.purl());
            c.addHash(new Hash(Hash.Algorithm.SHA_256, s.digest().substring(s.digest().indexOf(':') + 1)));
        }
        return c;
    }

    private static Component os(Distro d) {
        Component c = new Component();
        c.setType(Component.Type.OPERATING_SYSTEM);
        c.setBomRef("os:" + d.qualifier());
        c.setName(d.id());
        c.setVersion(d.versionId());
        c.setDescription(d.prettyName());
        if (d.cpeName() != null) {
            c.setCpe(d.cpeName());
        }
        return c;
    }

    private Component component(Package p, List<String> alsoContainedBy) {
        Component c = new Component();
        c.setType(Component.Type.LIBRARY);
        c.setBomRef(p.id());
        c.setName(p.name());
        c.setVersion(p.version());
        c.setDescription(p.description());
        if (p.supplier() != null) {
            OrganizationalEntity supplier = new OrganizationalEntity();
            supplier.setName(p.supplier());
            c.setSupplier(supplier);
        }
        if (p.license() != null) {
            LicenseChoice lc = new LicenseChoice();
            lc.setExpression(new Expression(p.license()));
            c.setLicenses(lc);
        }
        if (!p.cpes().isEmpty()) {
            c.setCpe(p.cpes().get(0));
        }
        c.setPurl(p.purl());
        if (p.hashes() != null) {
            if (p.hashes().sha1() != null) {
                c.addHash(new Hash(Hash.Algorithm.SHA1, p.hashes().sha1()));
            }
            if (p.hashes().sha256() != null) {
                c.addHash(new Hash(Hash.Algorithm.SHA_256, p.hashes().sha256()));
            }
        }
        String download = p.properties().get(Package.DOWNLOAD_LOCATION);
        if (download != null) {
            ExternalReference ref = new ExternalReference();
            ref.setType(ExternalReference.Type.DISTRIBUTION);
            ref.setUrl(download);
            c.addExternalReference(ref);
        }
        List<Property> props = new ArrayList<>();
        props.add(new Property("distill:package:foundBy", p.foundBy()));
        props.add(new Property("distill:location:0:path", p.dbPath()));
        if (p.layer() != null) {
            props.add(new Property("distill:location:0:layerID", p.layer().id()));
            props.add(new Property("distill:location:0:layerIndex", Integer.toString(p.layer().index())));
        }
        if (p.architecture() != null) {
            props.add(new Property("distill:package:arch", p.architecture()));
        }
        // CycloneDX says a component's ecosystem only through its purl; without one, and when the id does not say it
        // (distill's own ids are TYPE:NAME@VERSION), the type is a property.
        if (p.purl() == null && !p.type().equals(PackageTypes.UNKNOWN)
                && PackageTypes.ofModelId(p.id(), p.name(), p.version()) == null) {
            props.add(new Property("distill:package:type", p.type()));
        }
        new TreeMap<>(p.properties()).forEach((k, v) -> {
            if (!k.equals(Package.DOWNLOAD_LOCATION)) {
                props.add(new Property("distill:" + k, v));
            }
        });
        // A component nests under one parent; further containers are named (rare: one jar in two fat jars).
        for (int n = 0; n < alsoContainedBy.size(); n++) {
            props.add(new Property("distill:containedBy:" + n, alsoContainedBy.get(n)));
        }
        // A property without value, or an occurrence without location, is not valid CycloneDX; a document read from
        // another tool may not say where a package was found.
        props.removeIf(prop -> prop.getValue() == null);
        if (!props.isEmpty()) {
            c.setProperties(props);
        }
        if (version.getVersion() >= Version.VERSION_15.getVersion() && p.dbPath() != null) {
            Evidence evidence = new Evidence();
            Occurrence o = new Occurrence();
            o.setLocation(p.dbPath());
            evidence.addOccurrence(o);
            c.setEvidence(evidence);
        }
        return c;
    }
}
