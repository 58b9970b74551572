package dev.distill.sbom.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The SPDX license and exception identifiers, looked up without regard to case ({@code bsd-3-clause} is
 * {@code BSD-3-Clause}). Read once, as data, from the license list that spdx-java-library ships in its jar
 * ({@code resources/stdlicenses/}), so catalogers name licenses with the same list the SPDX writers check
 * against and nothing is downloaded.
 */
public final class SpdxLicenseList {
    private static final String LICENSES = "/resources/stdlicenses/licenses.json";
    private static final String EXCEPTIONS = "/resources/stdlicenses/exceptions.json";
    private static volatile SpdxLicenseList instance;

    private final Map<String, String> licenses;
    private final Map<String, String> exceptions;

    private SpdxLicenseList(Map<String, String> licenses, Map<String, String> exceptions) {
        this.licenses = licenses;
        this.exceptions = exceptions;
    }

    private static SpdxLicenseList get() {
        SpdxLicenseList l = instance;
        if (l == null) {
            synchronized (SpdxLicenseList.class) {
                if (instance == null) {
                    instance = new SpdxLicenseList(read(LICENSES, "licenses", "licenseId"),
                            read(EXCEPTIONS, "exceptions", "licenseExceptionId"));
                }
                l = instance;
            }
        }
        return l;
    }

    /** The listed license id spelled as the list spells it. */
    public static Optional<String> license(String id) {
        return Optional.ofNullable(get().licenses.get(id.toLowerCase(Locale.ROOT)));
    }

    /** The listed exception id spelled as the list spells it. */
    public static Optional<String> exception(String id) {
        return Optional.ofNullable(get().exceptions.get(id.toLowerCase(Locale.ROOT)));
    }

    private static Map<String, String> read(String resource, String array, String field) {
        Map<String, String> out = new HashMap<>();
        try (InputStream in = SpdxLicenseList.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the SPDX license list is missing from the class path ("
                        + resource + "); spdx-java-library ships it");
            }
            for (JsonNode e : new ObjectMapper().readTree(in).path(array)) {
                String id = e.path(field).asText("");
                // A deprecated id (GPL-2.0+) never shadows the current one (GPL-2.0-or-later has its own key).
                if (!id.isEmpty() && !e.path("isDeprecatedLicenseId").asBoolean(false)) {
                    out.put(id.toLowerCase(Locale.ROOT), id);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the SPDX license list " + resource, e);
        }
        return Map.copyOf(out);
    }
}
