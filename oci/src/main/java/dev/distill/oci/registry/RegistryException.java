package dev.distill.oci.registry;

import dev.distill.oci.ImageException;

/** A registry said no, or could not be reached: the message names the registry, repository and status. */
public class RegistryException extends ImageException {
    private static final long serialVersionUID = 1L;
    private final int status;

    public RegistryException(String message, int status) {
        super(message);
        this.status = status;
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
        this.status = -1;
    }

    /** The HTTP status, or -1 when the registry could not be reached. */
    public int status() {
        return status;
    }
}
