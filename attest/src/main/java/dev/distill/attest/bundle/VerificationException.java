package dev.distill.attest.bundle;

/** Verification failed: the message says which check did not hold. Callers fail closed on it. */
public class VerificationException extends Exception {
    private static final long serialVersionUID = 1L;

    public VerificationException(String message) {
        super(message);
    }
}
