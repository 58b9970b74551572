package dev.distill.sbom.format;

import java.io.IOException;

/** An SBOM document that cannot be read: the message names the document and what is wrong with it. */
public class SbomFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public SbomFormatException(String message, Throwable cause) {
        super(message, cause);
    }

    public SbomFormatException(String message) {
        super(message);
    }
}
