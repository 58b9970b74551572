package dev.distill.admission;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * The server's certificate and key, read from PEM files (what cert-manager and kubectl write to a Secret) and
 * swapped when the files change: the SSL context is built once around a key manager that delegates to the
 * current key material, so a renewed certificate is served on the next handshake without a restart and a broken
 * renewal keeps the old one.
 */
final class ServerTls {
    private final Path certFile;
    private final Path keyFile;
    private volatile X509KeyManager current;
    private volatile String fingerprint;
    private volatile String rejected;
    private final SSLContext context;

    ServerTls(Path certFile, Path keyFile) throws IOException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.fingerprint = fingerprint();
        this.current = read();
        try {
            context = SSLContext.getInstance("TLS");
            context.init(new javax.net.ssl.KeyManager[] {new Delegating()}, null, null);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is not available in this JVM", e);
        }
    }

    SSLContext context() {
        return context;
    }

    /**
     * Reads the files again when they changed; true when the new pair is served. A bad pair is thrown once, and the
     * pair loaded before stays; the same bad files are not tried again until they change.
     */
    boolean reload() throws IOException {
        String now = fingerprint();
        if (now.equals(fingerprint) || now.equals(rejected)) {
            return false;
        }
        X509KeyManager next;
        try {
            next = read();
        } catch (IOException | RuntimeException e) {
            rejected = now;
            throw e;
        }
        current = next;
        fingerprint = now;
        rejected = null;
        return true;
    }

    /** The certificate served now, for the log: its subject and the SHA-256 of its DER encoding. */
    String served() {
        X509Certificate[] chain = current.getCertificateChain("server");
        if (chain == null || chain.length == 0) {
            return "";
        }
        try {
            return chain[0].getSubjectX500Principal().getName() + " sha256:" + HexFormat.of().formatHex(
                    MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
        } catch (GeneralSecurityException e) {
            return chain[0].getSubjectX500Principal().getName();
        }
    }

    private String fingerprint() throws IOException {
        return Arrays.hashCode(Files.readAllBytes(certFile)) + ":" + Arrays.hashCode(Files.readAllBytes(keyFile));
    }

    private X509KeyManager read() throws IOException {
        List<? extends Certificate> chain;
        try {
            chain = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(
                    new ByteArrayInputStream(Files.readAllBytes(certFile))));
        } catch (GeneralSecurityException e) {
            throw bad("TLS certificate " + certFile + ": not a PEM certificate chain", e);
        }
        if (chain.isEmpty()) {
            throw new IOException("TLS certificate " + certFile + ": no certificate in it");
        }
        PrivateKey key = privateKey();
        if (!pairs(key, chain.get(0).getPublicKey())) {
            throw new IOException("TLS key " + keyFile + " is not the key of the certificate " + certFile);
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, new char[0], chain.toArray(Certificate[]::new));
            // SunX509 names the entry by its alias alone, so an alias chosen before a swap still names a key after it.
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, new char[0]);
            for (var km : kmf.getKeyManagers()) {
                if (km instanceof X509KeyManager x) {
                    return x;
                }
            }
        } catch (GeneralSecurityException e) {
            throw bad("TLS key " + keyFile + " does not go with the certificate " + certFile, e);
        }
        throw new IllegalStateException("no X.509 key manager in this JVM");
    }

    /**
     * Whether the private key is the certificate's: a key store takes any key with any certificate, and a mismatched
     * pair would fail every handshake, so a test signature made with the key must verify with the certificate's.
     */
    private static boolean pairs(PrivateKey key, PublicKey pub) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null) {
            return true; // a kind of key we cannot test is left to the handshake
        }
        try {
            byte[] probe = "distill admission TLS key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private PrivateKey privateKey() throws IOException {
        Object parsed;
        try (PEMParser in = new PEMParser(new StringReader(Files.readString(keyFile)))) {
            parsed = in.readObject();
        } catch (IOException e) {
            throw bad("TLS key " + keyFile + ": not a PEM key", e);
        }
        try {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getPrivateKey(pair.getPrivateKeyInfo());
            }
            if (parsed instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
        } catch (IOException e) {
            throw bad("TLS key " + keyFile + ": a key of a kind this JVM cannot use", e);
        }
        throw new IOException("TLS key " + keyFile + ": not an unencrypted PEM private key");
    }

    /**
     * A file that is not what it should be. The library's exception is kept as a suppressed one (for a stack trace),
     * not as the cause: a certificate exception in the cause chain reads as a TLS failure of a connection.
     */
    private static IOException bad(String message, Exception e) {
        IOException x = new IOException(message);
        x.addSuppressed(e);
        return x;
    }

    /** Hands every call to the key material loaded last. */
    private final class Delegating extends X509ExtendedKeyManager {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return current.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return current.chooseClientAlias(keyType, issuers, socket);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return current.getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return current.chooseServerAlias(keyType, issuers, socket);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            X509KeyManager km = current;
            return km instanceof X509ExtendedKeyManager x ? x.chooseEngineServerAlias(keyType, issuers, engine)
                    : km.chooseServerAlias(keyType, issuers, null);
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return current.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return current.getPrivateKey(alias);
        }
    }
}
