package dev.distill.attest.dsse;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.Base64Variants;
import dev.distill.attest.bundle.BlobSignatures;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Envelopes and DSSE bundles written as a stream into an array of their exact size are the bytes the earlier
 * writers made (an envelope spliced into the bundle's text), for payloads of every length modulo 3.
 */
class ExactBytesTest {
    @Test
    void theDocumentIsWholeForEveryPayloadLength() throws Exception {
        for (int n = 0; n < 7; n++) {
            byte[] payload = new byte[1000 + n];
            new Random(n).nextBytes(payload);
            byte[] doc = ExactBytes.of(payload, (g, p) -> {
                g.writeStartObject();
                g.writeFieldName("payload");
                g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, p, 0, p.length);
                g.writeEndObject();
            });
            assertEquals(14 + (payload.length + 2) / 3 * 4, doc.length);
            assertArrayEquals(payload, new com.fasterxml.jackson.databind.ObjectMapper().readTree(doc)
                    .path("payload").binaryValue());
        }
    }

    @Test
    void aStreamedBundleIsTheSplicedOne() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = g.generateKeyPair();
        for (int n = 0; n < 3; n++) {
            byte[] statement = ("{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicate\":{\"x\":\"" + "é".repeat(n)
                    + "y".repeat(5000 + n) + "\"}}").getBytes(StandardCharsets.UTF_8);
            byte[] signature = Dsse.signature(pair.getPrivate(), Dsse.IN_TOTO, statement);
            String spliced = BlobSignatures.dsseBundle(pair.getPublic(), Dsse.envelope(Dsse.IN_TOTO, statement,
                    signature));
            byte[] streamed = BlobSignatures.dsseBundle(pair.getPublic(), Dsse.IN_TOTO, statement, signature);
            assertArrayEquals(spliced.getBytes(StandardCharsets.UTF_8), streamed);
            assertArrayEquals(statement, Dsse.verify(Dsse.envelope(Dsse.IN_TOTO, statement, signature), Dsse.IN_TOTO,
                    pair.getPublic()));
            assertArrayEquals(Dsse.paeSha256(Dsse.IN_TOTO, statement), dev.distill.oci.Digest.newSha256().digest(
                    Dsse.pae(Dsse.IN_TOTO, statement)));
        }
    }
}
