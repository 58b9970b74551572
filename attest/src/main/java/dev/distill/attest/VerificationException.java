package dev.distill.attest;

/** Verification failed: the message says which check did not hold. Callers fail closed on it. */
public class VerificationException extends AttestException {
    private static final long serialVersionUID = 1L;

    public VerificationException(String message) {
        super(message);
    }

    @Override
    public boolean verificationFailed() {
        return true;
    }
}
