package dev.distill.attest.policy;

import dev.distill.attest.AttestException;

/** A policy file that cannot be read: its name and what is wrong. */
public class PolicyException extends AttestException {
    private static final long serialVersionUID = 1L;

    public PolicyException(String message) {
        super(message);
    }
}
