import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.image.ReferrerBundles;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.sign.Signer;
import dev.distill.attest.store.SignatureStore;
import dev.distill.oci.ImageReference;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * bench/admission's signer of many images: each reference in the file given is signed and has the SBOM given
 * attested (SPDX) with one key, in one process, through attest's front doors (the same SignatureStore and Signer
 * that distill sign / distill attest run), so the key is decrypted once. Prints one pinned reference per line.
 * Usage: java -cp cli/target/distill.jar SignMany.java KEY SBOM REFERENCES-FILE   (password in DISTILL_PASSWORD)
 */
public class SignMany {
    public static void main(String[] args) throws Exception {
        String password = System.getenv("DISTILL_PASSWORD");
        if (args.length != 3 || password == null) {
            System.err.println("usage: DISTILL_PASSWORD=... java -cp distill.jar SignMany.java KEY SBOM REFERENCES-FILE");
            System.exit(2);
        }
        Path key = Path.of(args[0]);
        byte[] sbom = Files.readAllBytes(Path.of(args[1]));
        List<String> refs = Files.readAllLines(Path.of(args[2]));
        String spdx = ImageAttestations.predicateType("spdx");
        SignatureStore store = new SignatureStore(new RegistryClient(RegistryOptions.defaults()),
                ReferrerBundles.Mode.LEGACY);
        try (Signer signer = Signer.builder().key(EncryptedKeys.decrypt(Files.readString(key, StandardCharsets.US_ASCII),
                password.toCharArray(), key.toString())).build()) {
            for (String r : refs) {
                ImageReference ref = ImageReference.parse(r);
                var digest = store.sign(ref, signer, Map.of(), false).get(0);
                store.attest(ref.withDigest(digest), signer, spdx, sbom);
                System.out.println(ref.registry() + "/" + ref.repository() + "@" + digest);
            }
        }
    }
}
