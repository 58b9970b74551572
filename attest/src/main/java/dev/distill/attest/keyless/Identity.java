package dev.distill.attest.keyless;

import dev.distill.attest.VerificationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;

/**
 * Who must have signed: the certificate's subject alternative name (an email or a URI such as a CI workflow)
 * and the OIDC issuer Fulcio wrote into it, each an exact string or a regular expression that must match the
 * WHOLE value (so {@code https://github.com/org/repo} never matches {@code https://github.com/org/repo-evil}),
 * plus optional GitHub workflow claims (repository, ref, sha, trigger) compared exactly.
 */
public record Identity(String identity, String identityRegexp, String issuer, String issuerRegexp,
        Map<String, String> githubClaims) {

    /** Fulcio's OIDs for the issuer (v2, DER UTF8String; v1, raw) and the GitHub workflow claims (raw). */
    static final String ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
    static final String ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
    public static final Map<String, String> GITHUB_CLAIMS = Map.of(
            "trigger", "1.3.6.1.4.1.57264.1.2",
            "sha", "1.3.6.1.4.1.57264.1.3",
            "repository", "1.3.6.1.4.1.57264.1.5",
            "ref", "1.3.6.1.4.1.57264.1.6");

    public Identity {
        githubClaims = githubClaims == null ? Map.of() : Map.copyOf(new LinkedHashMap<>(githubClaims));
        for (String claim : githubClaims.keySet()) {
            if (!GITHUB_CLAIMS.containsKey(claim)) {
                throw new IllegalArgumentException("unknown GitHub workflow claim '" + claim + "'");
            }
        }
    }

    /** Checks that both an identity and an issuer are given, once each, and that the regexps compile. */
    public void validate() throws KeylessException {
        if ((identity == null) == (identityRegexp == null)) {
            throw new KeylessException("give exactly one of --certificate-identity and --certificate-identity-regexp");
        }
        if ((issuer == null) == (issuerRegexp == null)) {
            throw new KeylessException(
                    "give exactly one of --certificate-oidc-issuer and --certificate-oidc-issuer-regexp");
        }
        for (String re : new String[] {identityRegexp, issuerRegexp}) {
            if (re != null) {
                try {
                    Pattern.compile(re);
                } catch (PatternSyntaxException e) {
                    throw new KeylessException("'" + re + "' is not a valid regular expression: "
                            + e.getDescription());
                }
            }
        }
    }

    /** The certificate's identity: its first email or URI subject alternative name. */
    public static String subjectOf(X509Certificate cert) throws VerificationException {
        try {
            var names = cert.getSubjectAlternativeNames();
            if (names != null) {
                for (List<?> n : names) {
                    int type = (Integer) n.get(0);
                    if (type == 1 || type == 6) {
                        return String.valueOf(n.get(1));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            throw new VerificationException("the signing certificate's subject alternative names cannot be read");
        }
        throw new VerificationException("the signing certificate names no email or URI identity");
    }

    /** The OIDC issuer Fulcio recorded in the certificate (v2 extension, else v1). */
    public static String issuerOf(X509Certificate cert) throws VerificationException {
        String v2 = extension(cert, ISSUER_V2, true);
        if (v2 != null) {
            return v2;
        }
        String v1 = extension(cert, ISSUER_V1, false);
        if (v1 != null) {
            return v1;
        }
        throw new VerificationException("the signing certificate records no OIDC issuer");
    }

    static String extension(X509Certificate cert, String oid, boolean der) throws VerificationException {
        byte[] ext = cert.getExtensionValue(oid);
        if (ext == null) {
            return null;
        }
        try {
            byte[] inner = ASN1OctetString.getInstance(ext).getOctets();
            if (!der) {
                return new String(inner, StandardCharsets.UTF_8);
            }
            if (ASN1Primitive.fromByteArray(inner) instanceof ASN1String s) {
                return s.getString();
            }
        } catch (IOException | IllegalArgumentException e) {
            // falls through
        }
        throw new VerificationException("the signing certificate's extension " + oid + " is malformed");
    }

    /** Every rule must hold; the exception names the first that does not, with the value found. */
    public void check(X509Certificate cert) throws VerificationException {
        List<String> problems = new ArrayList<>();
        String san = subjectOf(cert);
        if (!matches(san, identity, identityRegexp)) {
            problems.add("identity '" + san + "' is not " + expected(identity, identityRegexp));
        }
        String iss = issuerOf(cert);
        if (!matches(iss, issuer, issuerRegexp)) {
            problems.add("OIDC issuer '" + iss + "' is not " + expected(issuer, issuerRegexp));
        }
        for (var claim : githubClaims.entrySet()) {
            String found = extension(cert, GITHUB_CLAIMS.get(claim.getKey()), false);
            if (!claim.getValue().equals(found)) {
                problems.add("GitHub workflow " + claim.getKey() + " '" + (found == null ? "(none)" : found)
                        + "' is not '" + claim.getValue() + "'");
            }
        }
        if (!problems.isEmpty()) {
            throw new VerificationException("signed by someone else: " + String.join("; ", problems));
        }
    }

    private static boolean matches(String value, String exact, String regexp) {
        if (exact != null) {
            return exact.equals(value);
        }
        return regexp != null && Pattern.compile(regexp).matcher(value).matches();
    }

    private static String expected(String exact, String regexp) {
        return exact != null ? "'" + exact + "'" : "matched by /" + regexp + "/ (whole value)";
    }

    @Override
    public String toString() {
        return (identity != null ? identity : "/" + identityRegexp + "/") + " from "
                + (issuer != null ? issuer : "/" + issuerRegexp + "/");
    }
}
