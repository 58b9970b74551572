package dev.distill.attest.policy;

/** A policy file that cannot be read: its name and what is wrong. */
public class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    public PolicyException(String message) {
        super(message);
    }
}
