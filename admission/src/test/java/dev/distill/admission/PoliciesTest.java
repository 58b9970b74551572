package dev.distill.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distill.attest.AttestException;
import dev.distill.attest.keyless.Identity;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.policy.PolicyGate;
import dev.distill.oci.registry.RegistryClient;
import dev.distill.oci.registry.RegistryOptions;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a loaded set depends on: the policy files, the key files and trusted root a policy names, and the
 * attestation signers' key or trusted root. A change to any of them is a new hash; a bad new file keeps the loaded
 * set, whose gate still judges with the contents loaded before (from memory, not from the file now on disk).
 */
class PoliciesTest {
    @TempDir
    Path dir;

    private final RegistryClient client = new RegistryClient(RegistryOptions.defaults());

    private Policies policies(List<Path> files, Signers signers) throws Exception {
        Path copies = Files.createDirectories(dir.resolve("copies"));
        return new Policies(files, signers, copies, (attestations, instance, signerFiles)
                -> new PolicyGate(client, attestations, instance, null, signerFiles));
    }

    private static PublicKey newKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair().getPublic();
    }

    private static byte[] trustedRoot() throws IOException {
        try (InputStream in = PoliciesTest.class.getResourceAsStream("trusted_root.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void aChangedSignerKeyIsANewHashAndTheGateJudgesWithIt() throws Exception {
        PublicKey a = newKey();
        PublicKey b = newKey();
        Path signer = Files.writeString(dir.resolve("signer.pub"), EncryptedKeys.publicKeyPem(a));
        Path attestKey = Files.writeString(dir.resolve("attest.pub"), EncryptedKeys.publicKeyPem(a));
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "signers:\n  - key: signer.pub\n");
        Policies p = policies(List.of(policy), Signers.key(attestKey));
        Policies.Loaded first = p.current();
        assertEquals(Set.of(policy, attestKey, signer), first.files().keySet(),
                "the policy, the attestation key and the key the policy names");
        assertEquals(a, first.gate().signerFiles().key(signer));
        assertNull(p.reload(), "nothing changed");

        Files.writeString(signer, EncryptedKeys.publicKeyPem(b));
        Policies.Loaded second = p.reload();
        assertNotNull(second, "a new key is a new set");
        assertNotEquals(first.hash(), second.hash());
        assertEquals(List.of(signer), first.changedIn(second));
        assertEquals(b, second.gate().signerFiles().key(signer));
        assertSame(second, p.current());

        Files.writeString(attestKey, EncryptedKeys.publicKeyPem(b));
        Policies.Loaded third = p.reload();
        assertNotNull(third, "the attestation key is part of the set too");
        assertEquals(List.of(attestKey), second.changedIn(third));
    }

    @Test
    void aBadNewKeyKeepsTheLoadedSetAndItsKeyAndIsReportedOnce() throws Exception {
        PublicKey a = newKey();
        Path signer = Files.writeString(dir.resolve("signer.pub"), EncryptedKeys.publicKeyPem(a));
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "signers:\n  - key: " + signer + "\n");
        Policies p = policies(List.of(policy), Signers.key(signer));
        Policies.Loaded loaded = p.current();

        Files.writeString(signer, "not a key\n");
        AttestException e = assertThrows(AttestException.class, p::reload);
        assertTrue(e.getMessage().contains(signer.toString()), e.getMessage());
        assertSame(loaded, p.current(), "the loaded set is kept");
        assertEquals(a, p.current().gate().signerFiles().key(signer), "judged with the key loaded, not the file");
        assertNull(p.reload(), "the same failure is reported once");

        Files.delete(signer);
        IOException gone = assertThrows(IOException.class, p::reload);
        assertTrue(gone.getMessage().contains(signer + ": no such file"), gone.getMessage());
        assertSame(loaded, p.current());

        Files.writeString(signer, EncryptedKeys.publicKeyPem(a));
        assertNull(p.reload(), "the same contents as loaded: nothing to load");
    }

    @Test
    void aPolicysTrustedRootIsLoadedFromACopyAndAChangeIsANewHash() throws Exception {
        Path root = Files.write(dir.resolve("trusted_root.json"), trustedRoot());
        Path policy = Files.writeString(dir.resolve("policy.yaml"), "trustedRoot: trusted_root.json\nsigners:\n"
                + "  - identity: someone@example.com\n    issuer: https://issuer.example\n");
        Policies p = policies(List.of(policy), Signers.identity(new Identity("someone@example.com", null,
                "https://issuer.example", null, Map.of()), root));
        Policies.Loaded first = p.current();
        Path copy = first.gate().signerFiles().trustedRoot(root).trustedRoot();
        assertNotEquals(root, copy, "judged from a private copy");
        assertTrue(copy.startsWith(dir.resolve("copies")), copy.toString());
        assertTrue(first.files().containsKey(root));

        String changed = new String(trustedRoot(), StandardCharsets.UTF_8).replaceFirst("\"baseUrl\": \"http://",
                "\"baseUrl\": \"https://");
        Files.writeString(root, changed);
        Policies.Loaded second = p.reload();
        assertNotNull(second);
        assertEquals(List.of(root), first.changedIn(second));
        Path newCopy = second.gate().signerFiles().trustedRoot(root).trustedRoot();
        assertNotEquals(copy, newCopy, "new contents, a new copy (attest keeps a trusted root per path)");
        assertEquals(changed, Files.readString(newCopy));
        assertEquals(second.gate().signerInstance(), second.gate().signerFiles().trustedRoot(root),
                "the signers' trusted root is the default for identity signers");

        Files.writeString(root, "{\"mediaType\": ");
        AttestException bad = assertThrows(AttestException.class, p::reload);
        assertTrue(bad.getMessage().startsWith("trusted root " + root + ": "), bad.getMessage());
        assertSame(second, p.current());
    }
}
