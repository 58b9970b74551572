package dev.distill.attest.keys;

import dev.distill.attest.AttestException;

/** A key that cannot be read, decrypted or written; the message names the file and never any key material. */
public class KeyException extends AttestException {
    private static final long serialVersionUID = 1L;

    public KeyException(String message) {
        super(message);
    }

    public KeyException(String message, Throwable cause) {
        super(message, cause);
    }
}
