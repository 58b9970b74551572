package dev.distill.attest.sign;

import dev.distill.attest.AttestException;

/** Signing could not be done: the key refused, or the Sigstore service returned what cannot be used. */
public class SigningException extends AttestException {
    private static final long serialVersionUID = 1L;

    public SigningException(String message) {
        super(message);
    }

    public SigningException(String message, Throwable cause) {
        super(message, cause);
    }
}
