package dev.distill.admission;

import dev.distill.attest.policy.Policy;
import dev.distill.attest.policy.PolicyException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The policies the server enforces, read from their files, with one hash of all their contents: decisions are
 * cached per (image, hash), so a changed policy never answers from decisions made under the old one. A reload
 * that fails (a file gone or a policy that does not parse) keeps the loaded set and says why.
 */
final class Policies {
    /** One policy and the file it came from. */
    record Named(Path file, Policy policy) {
    }

    /** A loaded set: every policy, and the SHA-256 of their files' contents and of the trust they are judged by. */
    record Loaded(List<Named> policies, String hash) {
    }

    private final List<Path> files;
    private final String trust;
    private volatile Loaded current;

    /** Reads every policy; a policy that cannot be read or parsed is bad input (the server does not start). */
    Policies(List<Path> files, String trust) throws IOException, PolicyException {
        this.files = List.copyOf(files);
        this.trust = trust;
        this.current = read();
    }

    Loaded current() {
        return current;
    }

    /**
     * Reads the files again; returns null when nothing changed, else the new set's hash. A failure keeps the
     * loaded set and is thrown, naming the file and the cause.
     */
    String reload() throws IOException, PolicyException {
        Loaded next = read();
        if (next.hash().equals(current.hash())) {
            return null;
        }
        current = next;
        return next.hash();
    }

    private Loaded read() throws IOException, PolicyException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        sha.update(trust.getBytes(StandardCharsets.UTF_8));
        List<Named> out = new ArrayList<>();
        for (Path f : files) {
            String text;
            try {
                text = Files.readString(f, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new IOException("policy " + f + ": no such file", e);
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            sha.update(f.toString().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) 0);
            sha.update(bytes);
            out.add(new Named(f, Policy.parse(text, f.toString())));
        }
        return new Loaded(List.copyOf(out), "sha256:" + HexFormat.of().formatHex(sha.digest()));
    }
}
