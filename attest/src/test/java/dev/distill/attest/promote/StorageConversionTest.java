package dev.distill.attest.promote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.bundle.BlobSignatures;
import dev.distill.attest.dsse.Dsse;
import dev.distill.attest.image.CosignLayers;
import dev.distill.attest.image.ImageAttestations;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Attestations moved between cosign's .att layer and a bundle referrer: the signed envelope survives both ways
 * (with a key: it still verifies; keyless: the bundle comes back as it was signed), and what cannot be moved
 * without its inclusion proof is refused. Verification against a Sigstore stack is in the CLI's promote tests.
 */
class StorageConversionTest {
    private static final byte[] STATEMENT = ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"subject\":[{\"name\":"
            + "\"r/app\",\"digest\":{\"sha256\":\"" + "ab".repeat(32) + "\"}}],\"predicateType\":"
            + "\"https://spdx.dev/Document\",\"predicate\":{\"spdxVersion\":\"SPDX-2.3\"}}")
            .getBytes(StandardCharsets.UTF_8);

    private static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    @Test
    void aKeySignedAttestationGoesToALayerAndBackAndStillVerifies() throws Exception {
        KeyPair k = keys();
        String bundle = BlobSignatures.dsseBundle(k.getPublic(), Dsse.sign(k.getPrivate(), Dsse.IN_TOTO, STATEMENT));
        ImageAttestations.Signed layer = StorageConversion.layerOf(bundle.getBytes(StandardCharsets.UTF_8), "r1");
        assertArrayEquals(STATEMENT, Dsse.verify(layer.envelope(), Dsse.IN_TOTO, k.getPublic()));
        assertEquals("https://spdx.dev/Document", layer.annotations().get("predicateType"));
        assertEquals("", layer.annotations().get(CosignLayers.SIGNATURE_ANNOTATION));

        JsonNode back = new ObjectMapper().readTree(StorageConversion.bundleOf(layer.envelope(), layer.annotations(),
                "l1"));
        assertEquals(BlobSignatures.BUNDLE_V03, back.path("mediaType").asText());
        assertTrue(back.path("verificationMaterial").path("publicKey").isObject(), back.toString());
        byte[] envelope = new ObjectMapper().writeValueAsBytes(back.path("dsseEnvelope"));
        assertArrayEquals(STATEMENT, Dsse.verify(envelope, Dsse.IN_TOTO, k.getPublic()));
    }

    @Test
    void aKeylessBundleComesBackFromItsLayerAsItWasSigned() throws Exception {
        // The shape a keyless signer returns; conversion moves its parts and verifies nothing, so placeholder
        // certificate and log entry bytes stand in (real ones are verified in PromoteKeylessTest).
        ObjectMapper json = new ObjectMapper();
        ObjectNode b = json.createObjectNode();
        b.put("mediaType", BlobSignatures.BUNDLE_V03);
        ObjectNode material = b.putObject("verificationMaterial");
        material.putObject("certificate").put("rawBytes", Base64.getEncoder().encodeToString(new byte[] {1, 2, 3}));
        ObjectNode entry = material.putArray("tlogEntries").addObject();
        entry.put("logIndex", "7");
        entry.putObject("inclusionProof").put("logIndex", "7").put("treeSize", "8");
        ObjectNode dsse = b.putObject("dsseEnvelope");
        dsse.put("payload", Base64.getEncoder().encodeToString(STATEMENT));
        dsse.put("payloadType", Dsse.IN_TOTO);
        dsse.putArray("signatures").addObject().put("sig", "c2lnbmF0dXJl").put("keyid", "");

        ImageAttestations.Signed layer = StorageConversion.layerOf(json.writeValueAsBytes(b), "r2");
        assertTrue(layer.annotations().containsKey(CosignLayers.CERTIFICATE_ANNOTATION), layer.annotations()
                .toString());
        assertTrue(!json.readTree(layer.annotations().get(CosignLayers.SIGSTORE_BUNDLE_ANNOTATION))
                .path("dsseEnvelope").has("payload"), "the annotation holds the bundle without its payload");
        assertEquals(b, json.readTree(StorageConversion.bundleOf(layer.envelope(), layer.annotations(), "l2")));
    }

    @Test
    void aCosignKeylessLayerWithoutItsBundleIsRefused() throws Exception {
        KeyPair k = keys();
        byte[] envelope = Dsse.sign(k.getPrivate(), Dsse.IN_TOTO, STATEMENT);
        Map<String, String> cosign = Map.of(CosignLayers.SIGNATURE_ANNOTATION, "",
                CosignLayers.CERTIFICATE_ANNOTATION, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
                CosignLayers.REKOR_BUNDLE_ANNOTATION, "{\"SignedEntryTimestamp\":\"\"}", "predicateType", "x");
        assertTrue(StorageConversion.whyNotBundle(cosign).contains("without the Sigstore bundle"));
        StorageConversion.NotConvertible e = assertThrows(StorageConversion.NotConvertible.class,
                () -> StorageConversion.bundleOf(envelope, cosign, "l3"));
        assertTrue(e.getMessage().startsWith("attestation l3 cannot be stored as a referrer"), e.getMessage());
        assertNull(StorageConversion.whyNotBundle(Map.of(CosignLayers.SIGNATURE_ANNOTATION, "")), "a key layer");
    }

    @Test
    void aLayerWhoseEnvelopeDiffersFromItsBundleIsRefused() throws Exception {
        KeyPair k = keys();
        byte[] envelope = Dsse.sign(k.getPrivate(), Dsse.IN_TOTO, STATEMENT);
        String other = "{\"dsseEnvelope\":{\"payload\":\"" + Base64.getEncoder().encodeToString("{}".getBytes(
                StandardCharsets.UTF_8)) + "\",\"payloadType\":\"" + Dsse.IN_TOTO + "\",\"signatures\":[]}}";
        Exception e = assertThrows(Exception.class, () -> StorageConversion.bundleOf(envelope,
                Map.of(CosignLayers.SIGSTORE_BUNDLE_ANNOTATION, other), "l4"));
        assertTrue(e.getMessage().contains("differs from the one its Sigstore bundle signs"), e.getMessage());
    }
}
