package dev.distill.sbom.catalog;

import java.util.Locale;

/**
 * CPE 2.3 formatted strings. Catalogers propose one candidate per package (vendor and product from the upstream
 * name): a guess that scanners use only where no purl-based data exists, so fewer guesses mean fewer false alarms.
 */
public final class Cpes {
    private Cpes() {
    }

    public static String application(String vendor, String product, String version) {
        if (vendor == null || product == null || version == null || version.isEmpty()) {
            return null;
        }
        return "cpe:2.3:a:" + quote(vendor) + ":" + quote(product) + ":" + quote(version) + ":*:*:*:*:*:*:*";
    }

    /** Escapes per the CPE 2.3 formatted-string binding: letters, digits, '_', '-' and '.' stand as they are. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isLetterOrDigit(c) && c < 128 || c == '_' || c == '-' || c == '.') {
                b.append(c);
            } else {
                b.append('\\').append(c);
            }
        }
        return b.toString();
    }
}
