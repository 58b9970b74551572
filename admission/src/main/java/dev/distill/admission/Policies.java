package dev.distill.admission;

import dev.distill.attest.AttestException;
import dev.distill.attest.image.ImageAttestations;
import dev.distill.attest.keyless.KeylessException;
import dev.distill.attest.keyless.SigstoreInstance;
import dev.distill.attest.keyless.TrustedRoots;
import dev.distill.attest.keys.EncryptedKeys;
import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyGate;
import dev.distill.attest.verify.ImageChecks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The policies the server enforces and every file a decision depends on: the policy files, the key files and
 * trusted roots they name ({@link Policy#files}) and the attestation signers' key or trusted root
 * ({@link Signers}). One SHA-256 covers all their contents, and decisions are cached per (image, hash), so a
 * changed policy, key or trusted root never answers from decisions made under the old one. The contents are read
 * and checked once per load and judged from memory (a trusted root from a private copy named by its digest), so a
 * file that changes between loads cannot mix into a loaded set. A reload that fails (a file gone, a policy that
 * does not parse, a key or trusted root that does not load) keeps the loaded set and says why, once per distinct
 * failure.
 */
final class Policies {
    /** One policy and the file it came from. */
    record Named(Path file, Policy policy) {
    }

    /**
     * A loaded set: every policy, the gate that judges images under it (holding the keys and trusted roots read
     * with it), the SHA-256 over every file's path and contents, and each file's own digest.
     */
    record Loaded(List<Named> policies, String hash, PolicyGate gate, Map<Path, String> files) {
        /** The files whose contents differ in {@code next}, or that only one of the two has. */
        List<Path> changedIn(Loaded next) {
            List<Path> out = new ArrayList<>();
            next.files.forEach((f, d) -> {
                if (!d.equals(files.get(f))) {
                    out.add(f);
                }
            });
            files.keySet().stream().filter(f -> !next.files.containsKey(f)).forEach(out::add);
            return out;
        }
    }

    /** Builds the gate of a loaded set from its attestation check, its default instance and its signers' files. */
    interface Gates {
        PolicyGate gate(ImageAttestations.EnvelopeCheck attestations, SigstoreInstance signers,
                        PolicyGate.SignerFiles files);
    }

    /** A reload that failed, with the digest of what was read, so the same failure is reported once. */
    static final class LoadFailure extends Exception {
        private final String fingerprint;

        LoadFailure(String fingerprint, Exception cause) {
            super(cause.getMessage(), cause);
            this.fingerprint = fingerprint;
        }
    }

    private final List<Path> files;
    private final Signers signers;
    private final Path copies;
    private final Gates gates;
    private volatile Loaded current;
    private String lastFailure;

    /**
     * Reads every policy and file; one that cannot be read, parsed or loaded is bad input (the server does not
     * start). Trusted roots are copied into {@code copies}, a directory the caller owns.
     */
    Policies(List<Path> files, Signers signers, Path copies, Gates gates) throws IOException, AttestException {
        this.files = List.copyOf(files);
        this.signers = Objects.requireNonNull(signers, "signers");
        this.copies = copies;
        this.gates = gates;
        try {
            this.current = read();
        } catch (LoadFailure e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (AttestException) e.getCause();
        }
    }

    Loaded current() {
        return current;
    }

    /**
     * Reads the files again; returns the new set when anything changed, else null. A failure keeps the loaded set
     * and is thrown, naming the file and the cause, the first time it is seen; the same files failing the same way
     * again return null.
     */
    synchronized Loaded reload() throws IOException, AttestException {
        Loaded next;
        try {
            next = read();
        } catch (LoadFailure e) {
            if (e.fingerprint.equals(lastFailure)) {
                return null;
            }
            lastFailure = e.fingerprint;
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw (AttestException) e.getCause();
        }
        lastFailure = null;
        if (next.hash().equals(current.hash())) {
            return null;
        }
        current = next;
        return next;
    }

    private Loaded read() throws LoadFailure {
        MessageDigest all = sha256();
        all.update(signers.describe().getBytes(StandardCharsets.UTF_8));
        Map<Path, String> digests = new LinkedHashMap<>();
        Map<Path, byte[]> contents = new HashMap<>();
        try {
            List<Named> out = new ArrayList<>();
            for (Path f : files) {
                byte[] text = read(f, "policy " + f, all, digests, contents);
                out.add(new Named(f, Policy.parse(new String(text, StandardCharsets.UTF_8), f.toString())));
            }
            LoadedFiles loaded = new LoadedFiles();
            for (Path f : signers.files()) {
                byte[] b = read(f, f.equals(signers.key()) ? "key " + f : "trusted root " + f, all, digests, contents);
                if (f.equals(signers.key())) {
                    loaded.keys.put(f, publicKey(f, b));
                } else {
                    loaded.roots.put(f, trustedRoot(f, b));
                }
            }
            for (Named n : out) {
                for (Path f : n.policy().files()) {
                    boolean root = f.equals(n.policy().trustedRoot());
                    String what = (root ? "trusted root " : "key ") + f + " (named by policy " + n.file() + ")";
                    byte[] b = read(f, what, all, digests, contents);
                    if (root && !loaded.roots.containsKey(f)) {
                        loaded.roots.put(f, trustedRoot(f, b));
                    } else if (!root && !loaded.keys.containsKey(f)) {
                        loaded.keys.put(f, publicKey(f, b));
                    }
                }
            }
            ImageAttestations.EnvelopeCheck attestations;
            SigstoreInstance instance = signers.trustedRoot() != null ? loaded.roots.get(signers.trustedRoot())
                    : SigstoreInstance.publicGood();
            if (signers.key() != null) {
                attestations = ImageAttestations.withKey(loaded.keys.get(signers.key()));
            } else {
                attestations = ImageChecks.envelopeCheck(signers.identity(), instance);
            }
            String hash = "sha256:" + HexFormat.of().formatHex(all.digest());
            return new Loaded(List.copyOf(out), hash, gates.gate(attestations, instance, loaded),
                    Map.copyOf(digests));
        } catch (IOException | AttestException e) {
            throw new LoadFailure(HexFormat.of().formatHex(all.digest()) + " " + e.getMessage(), e);
        }
    }

    /** Reads a file once per load (a file named twice is read once), adding its path and contents to the hash. */
    private static byte[] read(Path f, String what, MessageDigest all, Map<Path, String> digests,
                               Map<Path, byte[]> contents) throws IOException {
        byte[] seen = contents.get(f);
        if (seen != null) {
            return seen;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(f);
        } catch (NoSuchFileException e) {
            throw new IOException(what + ": no such file", e);
        } catch (IOException e) {
            throw new IOException(what + ": cannot be read: " + e.getMessage(), e);
        }
        byte[] path = f.toString().getBytes(StandardCharsets.UTF_8);
        for (byte[] part : new byte[][] {path, Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII),
                bytes}) {
            all.update(part);
            all.update((byte) 0);
        }
        digests.put(f, "sha256:" + HexFormat.of().formatHex(sha256().digest(bytes)));
        contents.put(f, bytes);
        return bytes;
    }

    private static PublicKey publicKey(Path f, byte[] pem) throws AttestException {
        return EncryptedKeys.readPublicKey(new String(pem, StandardCharsets.US_ASCII), f.toString());
    }

    /**
     * A trusted root, from a private copy named by the digest of its contents: attest loads a trusted root once
     * per path and keeps it, so new contents must come under a new path, and the copy cannot change under it.
     * It is loaded (and checked) now, so a bad one fails the load, not a review.
     */
    private SigstoreInstance trustedRoot(Path f, byte[] json) throws IOException, KeylessException {
        Path copy = copies.resolve("trusted_root-" + HexFormat.of().formatHex(sha256().digest(json)) + ".json");
        if (!Files.exists(copy)) {
            Path tmp = Files.createTempFile(copies, "trusted_root-", ".tmp");
            Files.write(tmp, json);
            Files.move(tmp, copy, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        SigstoreInstance instance = SigstoreInstance.of(copy, null);
        try {
            TrustedRoots.trust(instance);
        } catch (KeylessException e) {
            // The message names the copy; the user knows the file by its own name.
            throw new KeylessException("trusted root " + f + ": " + String.valueOf(e.getMessage())
                    .replace(copy.toString() + ": ", "").replace(copy.toString(), f.toString()), e);
        }
        return instance;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The keys and trusted roots of one load, judged from memory. */
    private static final class LoadedFiles implements PolicyGate.SignerFiles {
        private final Map<Path, PublicKey> keys = new HashMap<>();
        private final Map<Path, SigstoreInstance> roots = new HashMap<>();

        @Override
        public PublicKey key(Path file) throws IOException {
            PublicKey k = keys.get(file);
            if (k == null) {
                throw new IOException("key " + file + " was not loaded with the policy"); // cannot happen: read()
            }
            return k;
        }

        @Override
        public SigstoreInstance trustedRoot(Path file) throws KeylessException {
            SigstoreInstance i = roots.get(file);
            if (i == null) {
                throw new KeylessException("trusted root " + file + " was not loaded with the policy");
            }
            return i;
        }
    }
}
