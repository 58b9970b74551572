package dev.distill.oci;

import java.io.IOException;

/**
 * The one checked exception of reading an image: the message names the input (reference, file or blob) and what
 * is wrong with it, in one line. It extends {@link IOException} so that it can travel through stream reads, where
 * digest and size mismatches are detected.
 */
public class ImageException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message);
    }

    public ImageException(String message, Throwable cause) {
        super(message, cause);
    }
}
