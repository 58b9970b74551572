package dev.distill.attest;

/**
 * What every operation of attest throws when it cannot do its work: a key, a policy, a Sigstore service, a
 * signature store. {@link #verificationFailed()} separates "the evidence does not hold" (the caller fails closed;
 * the CLI exits 1) from "the input could not be used" (exit 3). The message names the input and the cause.
 */
public class AttestException extends Exception {
    private static final long serialVersionUID = 1L;

    public AttestException(String message) {
        super(message);
    }

    public AttestException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True when a signature, an attestation or a policy did not verify; false for unusable input. */
    public boolean verificationFailed() {
        return false;
    }
}
