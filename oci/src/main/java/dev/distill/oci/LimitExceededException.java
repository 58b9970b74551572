package dev.distill.oci;

/** A safety limit (bytes, entries, sizes) was reached; the message names the limit and the flag that raises it. */
public class LimitExceededException extends ImageException {
    private static final long serialVersionUID = 1L;

    public LimitExceededException(String message) {
        super(message);
    }
}
