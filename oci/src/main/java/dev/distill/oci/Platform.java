package dev.distill.oci;

import java.util.Locale;

/**
 * An image platform {@code os/architecture[/variant]}. Matching follows containerd's normalisation: {@code arm64}
 * without a variant is {@code arm64/v8}, {@code arm} without a variant is {@code arm/v7}, and {@code x86_64} /
 * {@code aarch64} are aliases.
 */
public record Platform(String os, String architecture, String variant) {
    public static final Platform DEFAULT = new Platform("linux", "amd64", null);

    public Platform {
        if (os == null || os.isBlank() || architecture == null || architecture.isBlank()) {
            throw new IllegalArgumentException("platform needs an os and an architecture");
        }
        if (variant != null && variant.isBlank()) {
            variant = null;
        }
    }

    /** Parses {@code os/arch[/variant]}. */
    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()
                || (parts.length == 3 && parts[2].isEmpty())) {
            throw new IllegalArgumentException("malformed platform '" + text + "' (expected os/arch[/variant])");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /** True when {@code candidate} can run where this platform was asked for. */
    public boolean matches(Platform candidate) {
        if (!os.equalsIgnoreCase(candidate.os)) {
            return false;
        }
        String arch = normalArch(architecture);
        if (!arch.equals(normalArch(candidate.architecture))) {
            return false;
        }
        return variant == null || normalVariant(arch, variant).equals(normalVariant(arch, candidate.variant));
    }

    /** True when the candidate has exactly the variant this platform would default to. */
    public boolean matchesExactly(Platform candidate) {
        String arch = normalArch(architecture);
        return matches(candidate) && normalVariant(arch, variant).equals(normalVariant(arch, candidate.variant));
    }

    private static String normalArch(String arch) {
        String a = arch.toLowerCase(Locale.ROOT);
        return switch (a) {
            case "x86_64", "x86-64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    private static String normalVariant(String arch, String variant) {
        String v = variant == null ? "" : variant.toLowerCase(Locale.ROOT);
        if (arch.equals("arm64") && v.isEmpty()) {
            return "v8";
        }
        if (arch.equals("arm") && v.isEmpty()) {
            return "v7";
        }
        return v;
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
