package dev.distill.attest.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.distill.attest.VerificationException;
import dev.distill.attest.image.CosignLayers;
import dev.distill.attest.keyless.Identity;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.keyless.KeylessSigning;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.keyless.TrustedRoots;
import dev.distill.oci.Digest;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.trustroot.TransparencyLog;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Keyless image signatures as cosign writes them in its legacy layout: the certificate (and chain) and a Rekor
 * "bundle" (the signed entry timestamp and the entry) as layer annotations, without an inclusion proof. Written
 * by hand because sigstore-java's verifier insists on an inclusion proof, which these signatures never had; the
 * pieces it does offer are used (the Fulcio chain and SCT check, the trusted root's logs), and the trusted root
 * is the one every keyless check loads and checks ({@link TrustedRoots#trust}). What is checked: the
 * certificate chains to a Fulcio CA of the trusted root and carries a valid SCT; the SET verifies with the key
 * of the log named by the entry, valid at the integrated time; the logged entry is a hashedrekord of exactly
 * this payload's digest, this signature and this certificate; the signature verifies over the payload; the
 * integrated time is not in the future and inside the certificate's validity; the identity matches.
 */
public final class CosignLegacySignatures {
    private static final ObjectMapper JSON = new ObjectMapper();

    private CosignLegacySignatures() {
    }

    public static void verify(byte[] payload, Map<String, String> annotations, Identity who, SigstoreInstance instance)
            throws VerificationException, KeylessException {
        List<X509Certificate> certs = certificates(annotations.get(CosignLayers.CERTIFICATE_ANNOTATION));
        String chain = annotations.get(CosignLayers.CHAIN_ANNOTATION);
        if (chain != null && !chain.isBlank()) {
            certs.addAll(certificates(chain));
        }
        X509Certificate leaf = certs.get(0);
        TrustedRoots.Trust trust = TrustedRoots.trust(instance);
        SigstoreTrustedRoot root = trust.root();
        try {
            var path = CertificateFactory.getInstance("X.509").generateCertPath(certs);
            trust.fulcio().verifySigningCertificate(path);
        } catch (Exception e) {
            throw new VerificationException("Fulcio certificate was not valid: " + KeylessSigning.message(e));
        }

        JsonNode rekor = parse(annotations.get(CosignLayers.REKOR_BUNDLE_ANNOTATION), "Rekor bundle");
        JsonNode p = rekor.path("Payload");
        String body = p.path("body").asText("");
        long integratedTime = p.path("integratedTime").asLong(0);
        long logIndex = p.path("logIndex").asLong(-1);
        String logId = p.path("logID").asText("");
        Instant integrated = Instant.ofEpochSecond(integratedTime);
        TransparencyLog log;
        try {
            log = TransparencyLog.find(root.getTLogs(), HexFormat.of().parseHex(logId), integrated).orElseThrow(() ->
                    new VerificationException("the entry names a log the trusted root does not have at "
                            + integrated + " (log id " + logId + ")"));
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the entry's log id is not hex");
        }
        ObjectNode signed = JSON.createObjectNode();
        signed.put("body", body);
        signed.put("integratedTime", integratedTime);
        signed.put("logID", logId);
        signed.put("logIndex", logIndex);
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(log.getPublicKey().toJavaPublicKey());
            // Keys in the order RFC 8785 gives them: body, integratedTime, logID, logIndex.
            s.update(signed.toString().getBytes(StandardCharsets.UTF_8));
            if (!s.verify(Base64.getDecoder().decode(rekor.path("SignedEntryTimestamp").asText("")))) {
                throw new VerificationException("Entry SET was not valid");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new VerificationException("Entry SET cannot be checked: " + e.getMessage());
        }

        JsonNode entry;
        try {
            entry = parse(new String(Base64.getDecoder().decode(body), StandardCharsets.UTF_8), "logged entry");
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the logged entry is not base64");
        }
        if (!"hashedrekord".equals(entry.path("kind").asText())) {
            throw new VerificationException("the logged entry is a " + entry.path("kind").asText() + ", not a "
                    + "hashedrekord");
        }
        JsonNode spec = entry.path("spec");
        String signature = annotations.getOrDefault(CosignLayers.SIGNATURE_ANNOTATION, "");
        if (!"sha256".equals(spec.path("data").path("hash").path("algorithm").asText())
                || !HexFormat.of().formatHex(Digest.newSha256().digest(payload)).equals(
                spec.path("data").path("hash").path("value").asText())) {
            throw new VerificationException("the logged entry is for another payload");
        }
        if (!signature.equals(spec.path("signature").path("content").asText())) {
            throw new VerificationException("the logged entry has another signature");
        }
        List<X509Certificate> logged;
        try {
            logged = certificates(new String(Base64.getDecoder().decode(spec.path("signature").path("publicKey")
                    .path("content").asText("")), StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the logged entry's certificate is not base64");
        }
        if (!logged.get(0).equals(leaf)) {
            throw new VerificationException("the logged entry has another certificate");
        }
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(leaf.getPublicKey());
            s.update(payload);
            if (!s.verify(Base64.getDecoder().decode(signature))) {
                throw new VerificationException("Artifact signature was not valid");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new VerificationException("the signature cannot be checked: " + e.getMessage());
        }
        if (integrated.isAfter(Instant.now().plus(TrustedRoots.CLOCK_SKEW))) {
            throw new VerificationException("the transparency-log entry's integrated time " + integrated
                    + " is in the future");
        }
        if (integrated.isBefore(leaf.getNotBefore().toInstant()) || integrated.isAfter(leaf.getNotAfter()
                .toInstant())) {
            throw new VerificationException("the transparency-log entry's integrated time " + integrated
                    + " is outside the certificate's validity");
        }
        who.check(leaf);
    }

    private static JsonNode parse(String text, String what) throws VerificationException {
        if (text == null) {
            throw new VerificationException("the signature carries no " + what);
        }
        try {
            JsonNode n = JSON.readTree(text);
            if (n == null || !n.isObject()) {
                throw new VerificationException("the " + what + " is not a JSON object");
            }
            return n;
        } catch (IOException e) {
            throw new VerificationException("the " + what + " is not valid JSON");
        }
    }

    private static List<X509Certificate> certificates(String pem) throws VerificationException {
        if (pem == null || pem.isBlank()) {
            throw new VerificationException("the signature carries no certificate");
        }
        try {
            List<X509Certificate> out = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            if (out.isEmpty()) {
                throw new VerificationException("the signature carries no certificate");
            }
            return out;
        } catch (java.security.cert.CertificateException e) {
            throw new VerificationException("the signature's certificate cannot be read");
        }
    }
}
