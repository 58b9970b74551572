package dev.distill.attest.verify;

import dev.distill.attest.VerificationException;
import dev.sigstore.trustroot.CertificateAuthority;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.tsp.TimeStampResponse;
import org.bouncycastle.tsp.TimeStampToken;

/**
 * RFC 3161 timestamps over a bundle's signature, checked against the trusted root's timestamp authorities with
 * BouncyCastle (sigstore-java's own check is tied to certificate-signed bundles). What holds after
 * {@link #verify}: the token is signed by a TSA of the trusted root valid at its time, whose certificate chains
 * to that TSA's root at that time; the token's message imprint is the digest of the bundle's signature.
 */
final class Timestamps {
    private Timestamps() {
    }

    /** The time the token vouches for. */
    static Instant verify(byte[] encoded, byte[] signature, SigstoreTrustedRoot root) throws VerificationException {
        TimeStampToken token = token(encoded);
        Instant time = token.getTimeStampInfo().getGenTime().toInstant();
        String algorithm = switch (token.getTimeStampInfo().getMessageImprintAlgOID().getId()) {
            case "2.16.840.1.101.3.4.2.1" -> "SHA-256";
            case "2.16.840.1.101.3.4.2.2" -> "SHA-384";
            case "2.16.840.1.101.3.4.2.3" -> "SHA-512";
            default -> throw new VerificationException("the RFC 3161 timestamp uses a digest algorithm distill does "
                    + "not accept (" + token.getTimeStampInfo().getMessageImprintAlgOID() + ")");
        };
        byte[] imprint;
        try {
            imprint = MessageDigest.getInstance(algorithm).digest(signature);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        if (!MessageDigest.isEqual(imprint, token.getTimeStampInfo().getMessageImprintDigest())) {
            throw new VerificationException("the RFC 3161 timestamp is over something else than the bundle's "
                    + "signature");
        }
        List<String> tried = new ArrayList<>();
        for (CertificateAuthority tsa : root.getTSAs()) {
            if (!tsa.getValidFor().contains(time)) {
                continue;
            }
            @SuppressWarnings("unchecked")
            List<X509Certificate> chain = (List<X509Certificate>) tsa.getCertPath().getCertificates();
            if (chain.isEmpty()) {
                continue;
            }
            X509Certificate leaf = chain.get(0);
            try {
                if (!token.getSID().match(new X509CertificateHolder(leaf.getEncoded()))) {
                    continue;
                }
                // Checks the signature, that the certificate was valid at the token's time and is for timestamping.
                token.validate(new JcaSimpleSignerInfoVerifierBuilder().build(leaf));
                if (chain.size() > 1) {
                    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(chain.get(chain.size() - 1),
                            null)));
                    params.setRevocationEnabled(false);
                    params.setDate(Date.from(time));
                    CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                            .generateCertPath(chain.subList(0, chain.size() - 1)), params);
                }
                return time;
            } catch (Exception e) {
                tried.add(tsa.getUri() + ": " + e.getClass().getSimpleName());
            }
        }
        throw new VerificationException("the RFC 3161 timestamp of " + time + " is not signed by a timestamp "
                + "authority of the trusted root valid then" + (tried.isEmpty() ? "" : " (" + String.join(", ", tried)
                + ")"));
    }

    /** A timestamp as bundles carry it: a TimeStampToken, or a whole TimeStampResponse. */
    private static TimeStampToken token(byte[] encoded) throws VerificationException {
        try {
            return new TimeStampToken(new CMSSignedData(encoded));
        } catch (Exception notAToken) {
            try {
                TimeStampToken t = new TimeStampResponse(encoded).getTimeStampToken();
                if (t != null) {
                    return t;
                }
            } catch (Exception e) {
                // below
            }
        }
        throw new VerificationException("an RFC 3161 timestamp of the bundle cannot be read");
    }
}
