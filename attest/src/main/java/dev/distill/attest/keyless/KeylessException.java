package dev.distill.attest.keyless;

import dev.distill.attest.AttestException;

/**
 * Keyless signing could not be done: no identity token, an unreadable trusted root or signing config, or a
 * Sigstore service (Fulcio, Rekor, TSA) that refused or could not be reached. The message names which.
 */
public class KeylessException extends AttestException {
    private static final long serialVersionUID = 1L;

    public KeylessException(String message) {
        super(message);
    }

    public KeylessException(String message, Throwable cause) {
        super(message, cause);
    }
}
