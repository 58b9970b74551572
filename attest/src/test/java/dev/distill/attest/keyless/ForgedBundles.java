package dev.distill.attest.keyless;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Base64;

/**
 * Edits of real bundles as an attacker would make them, shared by attest's negative corpus and the CLI's tests
 * (security finding 1 of #22): each hides when a bundle was really signed.
 */
public final class ForgedBundles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ForgedBundles() {
    }

    /** The bundle's first log entry, to edit in place. */
    public static ObjectNode entry0(ObjectNode bundle) {
        return (ObjectNode) bundle.path("verificationMaterial").path("tlogEntries").get(0);
    }

    /** Appends a copy of the bundle's first entry with another integrated time and a SET that is not one. */
    public static void addDummyEntry(ObjectNode bundle, long integratedTime) {
        ObjectNode dummy = entry0(bundle).deepCopy();
        dummy.remove("integrated_time");
        dummy.put("integratedTime", String.valueOf(integratedTime));
        dummy.putObject("inclusionPromise").put("signedEntryTimestamp", "AAAA");
        ((ArrayNode) bundle.path("verificationMaterial").path("tlogEntries")).add(dummy);
    }

    /** A time inside the validity of the bundle's signing certificate (a minute after it starts). */
    public static long insideValidity(String bundle) throws IOException {
        var material = JSON.readTree(bundle).path("verificationMaterial");
        String der = material.has("certificate") ? material.path("certificate").path("rawBytes").asText()
                : material.path("x509CertificateChain").path("certificates").get(0).path("rawBytes").asText();
        try {
            var cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                    new ByteArrayInputStream(Base64.getDecoder().decode(der)));
            return cert.getNotBefore().toInstant().getEpochSecond() + 60;
        } catch (CertificateException e) {
            throw new IOException(e);
        }
    }

    /**
     * The first variant of the finding: entry 0's signed entry timestamp removed and its integrated time moved
     * inside the certificate's validity, plus a dummy entry whose SET is not one.
     */
    public static String setRemovedTimeForgedAndDummyEntry(String bundle) throws IOException {
        ObjectNode b = (ObjectNode) JSON.readTree(bundle);
        long inside = insideValidity(bundle);
        entry0(b).remove("inclusionPromise");
        entry0(b).put("integratedTime", String.valueOf(inside));
        addDummyEntry(b, 0);
        return b.toString();
    }
}
