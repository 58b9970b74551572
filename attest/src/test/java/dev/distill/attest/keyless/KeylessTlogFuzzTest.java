package dev.distill.attest.keyless;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.VerificationException;
import dev.distill.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Security finding 1 of #22 as a property: a bundle whose certificate had expired when it was signed never
 * verifies, however its log entries are edited: entries duplicated, reordered or added, fields renamed to their
 * protobuf aliases or removed, integrated times moved inside the certificate's validity, SETs replaced, timestamps
 * removed, keys given twice. The seeds are real bundles from one run of the local Sigstore stack, signed by
 * sigstore-js under a certificate that had expired (the CA's clock set back), for the SHA-256 of {@link #BLOB}: a
 * Rekor v1 message signature and a Rekor v2 + TSA DSSE attestation about that digest. The regression test runs
 * the same edits from fixed random seeds on every build; the fuzz test lets Jazzer choose them.
 */
class KeylessTlogFuzzTest {
    private static final String BLOB = "an artifact signed after its certificate expired\n";
    private static final byte[] DIGEST = Digest.newSha256().digest(BLOB.getBytes(StandardCharsets.UTF_8));
    private static final Identity ANYONE = new Identity(null, ".*", null, ".*", Map.of());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] ENTRY_FIELDS = {"logIndex", "logId", "kindVersion", "integratedTime",
        "inclusionPromise", "inclusionProof", "canonicalizedBody"};
    private static List<String> seeds;
    private static SigstoreInstance instance;

    /** The choices one run of edits makes: from a seeded Random, or from Jazzer's input. */
    interface Choices {
        int pick(int bound);

        long between(long lo, long hi);
    }

    /** The seeds are refused for their certificate's expiry alone: otherwise the edits would prove nothing. */
    @Test
    void theSeedsAreRefusedOnlyBecauseTheirCertificateHadExpired() throws Exception {
        String[] reasons = {"outside the certificate's validity", "the RFC 3161 timestamp"};
        for (int i = 0; i < seeds().size(); i++) {
            String seed = seeds().get(i);
            VerificationException e = assertThrows(VerificationException.class,
                    () -> Verify.keyless(seed, DIGEST, ANYONE, instance()));
            assertTrue(e.getMessage().contains(reasons[i]), e.getMessage());
        }
    }

    @Test
    void editedLogEntriesNeverLetAnExpiredCertificateThrough() throws Exception {
        for (int seed = 0; seed < 200; seed++) {
            Random random = new Random(seed);
            check(new Choices() {
                @Override
                public int pick(int bound) {
                    return random.nextInt(bound);
                }

                @Override
                public long between(long lo, long hi) {
                    return lo + (long) (random.nextDouble() * (hi - lo));
                }
            }, "seed " + seed);
        }
    }

    @FuzzTest(maxDuration = "60s")
    void neverAcceptsAnExpiredCertificate(FuzzedDataProvider data) throws Exception {
        check(new Choices() {
            @Override
            public int pick(int bound) {
                return data.consumeInt(0, bound - 1);
            }

            @Override
            public long between(long lo, long hi) {
                return data.consumeLong(lo, hi);
            }
        }, "fuzzed input");
    }

    private static void check(Choices c, String what) throws Exception {
        String seed = seeds().get(c.pick(seeds().size()));
        String edited = edit(seed, c);
        try {
            Verify.keyless(edited, DIGEST, ANYONE, instance());
        } catch (VerificationException | KeylessException e) {
            return;
        }
        fail(what + ": a bundle under an expired certificate verified:\n" + edited);
    }

    /** One to eight edits of the bundle's log entries and times. */
    static String edit(String bundle, Choices c) throws IOException {
        ObjectNode b = (ObjectNode) JSON.readTree(bundle);
        long inside = ForgedBundles.insideValidity(bundle);
        ObjectNode material = (ObjectNode) b.path("verificationMaterial");
        ArrayNode entries = (ArrayNode) material.path("tlogEntries");
        boolean twice = false;
        for (int n = 1 + c.pick(8); n > 0; n--) {
            ObjectNode e = (ObjectNode) entries.get(c.pick(entries.size()));
            String field = ENTRY_FIELDS[c.pick(ENTRY_FIELDS.length)];
            switch (c.pick(9)) {
                case 0 -> entries.add(e.deepCopy());
                case 1 -> rename(e, field);
                case 2 -> removeSomewhere(e, field, c);
                case 3 -> e.put(c.pick(2) == 0 ? "integratedTime" : "integrated_time", String.valueOf(
                        c.pick(2) == 0 ? inside : c.between(inside - 7200, inside + 7200)));
                case 4 -> e.putObject("inclusionPromise").put("signedEntryTimestamp", Base64.getEncoder()
                        .encodeToString(new byte[] {(byte) c.pick(256), (byte) c.pick(256), (byte) c.pick(256)}));
                case 5 -> material.remove("timestampVerificationData");
                case 6 -> entries.insert(0, entries.remove(entries.size() - 1));
                case 7 -> {
                    ObjectNode copy = e.deepCopy();
                    copy.remove("inclusionPromise");
                    copy.remove("integrated_time");
                    copy.put("integratedTime", String.valueOf(inside));
                    entries.add(copy);
                }
                default -> twice = true;
            }
            if (entries.isEmpty()) {
                break;
            }
        }
        String text = b.toString();
        // A key given twice: the first value inside the validity, the second as it was.
        return twice ? text.replaceFirst("\"integratedTime\":", "\"integratedTime\":\"" + inside
                + "\",\"integratedTime\":") : text;
    }

    /** Renames a field to its other protobuf name (camelCase to snake_case, or back). */
    private static void rename(ObjectNode node, String camel) {
        String snake = camel.replaceAll("([A-Z])", "_$1").toLowerCase(java.util.Locale.ROOT);
        if (node.has(camel)) {
            node.set(snake, node.remove(camel));
        } else if (node.has(snake)) {
            node.set(camel, node.remove(snake));
        }
    }

    /** Removes the field from the entry, or a field of one of its objects. */
    private static void removeSomewhere(ObjectNode entry, String field, Choices c) {
        JsonNode inner = entry.path(field);
        if (inner.isObject() && inner.size() > 0 && c.pick(2) == 0) {
            List<String> names = new ArrayList<>();
            inner.fieldNames().forEachRemaining(names::add);
            ((ObjectNode) inner).remove(names.get(c.pick(names.size())));
        } else {
            entry.remove(field);
        }
    }

    private static List<String> seeds() throws IOException {
        if (seeds == null) {
            List<String> s = new ArrayList<>();
            for (String name : List.of("expired-certificate-rekor-v1.sigstore.json",
                    "expired-certificate-rekor-v2-tsa.sigstore.json")) {
                try (InputStream in = KeylessTlogFuzzTest.class.getResourceAsStream(name)) {
                    s.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            seeds = s;
        }
        return seeds;
    }

    private static SigstoreInstance instance() throws Exception {
        if (instance == null) {
            instance = SigstoreInstance.of(Path.of(KeylessTlogFuzzTest.class.getResource(
                    "trusted_root.expired-certificates.json").toURI()), null);
        }
        return instance;
    }
}
