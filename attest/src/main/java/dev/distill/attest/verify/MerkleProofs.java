package dev.distill.attest.verify;

import dev.distill.oci.Digest;
import java.security.MessageDigest;
import java.util.List;

/** RFC 9162 (section 2.1.3.2) inclusion proofs over RFC 6962 Merkle trees with SHA-256. */
final class MerkleProofs {
    private MerkleProofs() {
    }

    /** The root the proof leads to from the leaf's data, or null when the proof cannot be for that index and size. */
    static byte[] rootFromInclusionProof(byte[] leafData, long index, long size, List<byte[]> path) {
        if (index < 0 || size <= 0 || index >= size) {
            return null;
        }
        long fn = index;
        long sn = size - 1;
        byte[] r = hash((byte) 0, leafData, null);
        for (byte[] p : path) {
            if (sn == 0 || p.length != 32) {
                return null;
            }
            if ((fn & 1) == 1 || fn == sn) {
                r = hash((byte) 1, p, r);
                if ((fn & 1) == 0) {
                    while ((fn & 1) == 0 && fn != 0) {
                        fn >>= 1;
                        sn >>= 1;
                    }
                }
            } else {
                r = hash((byte) 1, r, p);
            }
            fn >>= 1;
            sn >>= 1;
        }
        return sn == 0 ? r : null;
    }

    private static byte[] hash(byte prefix, byte[] a, byte[] b) {
        MessageDigest d = Digest.newSha256();
        d.update(prefix);
        d.update(a);
        if (b != null) {
            d.update(b);
        }
        return d.digest();
    }
}
