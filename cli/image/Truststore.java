import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

/**
 * Java's trust store for distill's image, made at build time from Debian's ca-certificates: what the
 * ca-certificates-java package's maintainer script makes on a Debian system, which an image without a shell
 * cannot run. One PKCS#12 file with every certificate, password "changeit" as Java expects.
 *   usage: java Truststore.java OUT CERT.crt...
 */
public final class Truststore {
    public static void main(String[] args) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        CertificateFactory x509 = CertificateFactory.getInstance("X.509");
        for (int i = 1; i < args.length; i++) {
            try (InputStream in = new FileInputStream(args[i])) {
                X509Certificate cert = (X509Certificate) x509.generateCertificate(in);
                String alias = Path.of(args[i]).getFileName().toString().replaceFirst("\\.crt$", "")
                        .toLowerCase(java.util.Locale.ROOT);
                store.setCertificateEntry(alias, cert);
            }
        }
        try (OutputStream out = new FileOutputStream(args[0])) {
            store.store(out, "changeit".toCharArray());
        }
        System.err.println("Truststore: " + (args.length - 1) + " certificates in " + args[0]);
    }
}
