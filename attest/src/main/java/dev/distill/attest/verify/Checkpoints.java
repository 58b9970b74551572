package dev.distill.attest.verify;

import dev.distill.attest.VerificationException;
import dev.sigstore.trustroot.TransparencyLog;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;

/**
 * Transparency-log checkpoints: signed notes (C2SP signed-note: the note's lines, a blank line, then lines
 * {@code — NAME base64(keyHint || signature)}), whose note holds the origin, the tree size and the root hash. The
 * checkpoint must be signed by the entry's log (the signature line named after the log's host, with the first four
 * bytes of the log id as its key hint) and state the proof's tree size and root.
 */
final class Checkpoints {
    private static final int MAX_SIGNATURES = 20;

    private Checkpoints() {
    }

    static void verify(String envelope, TransparencyLog log, PublicKey key, long treeSize, byte[] rootHash)
            throws VerificationException {
        int split = envelope.indexOf("\n\n");
        if (split < 0) {
            throw new VerificationException("the checkpoint is not a signed note");
        }
        String note = envelope.substring(0, split + 1);
        String[] lines = note.split("\n");
        if (lines.length < 3) {
            throw new VerificationException("the checkpoint's note lacks its origin, size or root hash");
        }
        long size;
        byte[] root;
        try {
            size = Long.parseLong(lines[1]);
            root = Base64.getDecoder().decode(lines[2]);
        } catch (IllegalArgumentException e) {
            throw new VerificationException("the checkpoint's size or root hash is malformed");
        }
        if (size != treeSize || !MessageDigest.isEqual(root, rootHash)) {
            throw new VerificationException("the checkpoint is for another tree than the inclusion proof (size "
                    + size + ", the proof's " + treeSize + ")");
        }
        String host = log.getBaseUrl().getHost();
        byte[] hint = Arrays.copyOf(log.getLogId().getKeyId(), 4);
        String[] signatures = envelope.substring(split + 2).split("\n");
        if (signatures.length > MAX_SIGNATURES) {
            throw new VerificationException("the checkpoint carries more than " + MAX_SIGNATURES + " signatures");
        }
        byte[] data = note.getBytes(StandardCharsets.UTF_8);
        for (String line : signatures) {
            String[] parts = line.split(" ");
            if (parts.length != 3 || !parts[0].equals("\u2014") || !parts[1].equals(host)) {
                continue;
            }
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(parts[2]);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (sig.length > 4 && MessageDigest.isEqual(Arrays.copyOf(sig, 4), hint)
                    && Signatures.verify(key, data, Arrays.copyOfRange(sig, 4, sig.length))) {
                return;
            }
        }
        throw new VerificationException("the checkpoint carries no valid signature of log " + host);
    }
}
