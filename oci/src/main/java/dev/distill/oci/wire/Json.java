package dev.distill.oci.wire;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.distill.oci.ImageException;

/** The one JSON mapper of the wire templates. Unknown fields are ignored; output keys keep declaration order. */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Most JSON values a manifest, index or config may hold. Bound objects cost tens of times their JSON ({@code {},}
     * is three bytes), so the byte limits alone would let an 8 MiB manifest or a 64 MiB config of tiny values take
     * gigabytes of heap. Real documents hold thousands of values; a 10,000-layer manifest about 50,000.
     */
    public static final int MAX_VALUES = 250_000;

    /** Parses {@code json} as {@code type}; {@code what} names the document in the error. */
    public static <T> T read(byte[] json, Class<T> type, String what) throws ImageException {
        try {
            checkValues(json, what);
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new ImageException(what + " is empty (JSON null)");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new ImageException(what + " " + problem(e));
        } catch (java.io.IOException e) {
            throw new ImageException("cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** What is wrong with a document Jackson refused, in our words, after the document's name. */
    public static String problem(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamConstraintsException) {
                return "is not valid JSON: it nests too deeply or holds too large a value" + at(e)
                        + "; a hostile document?";
            }
        }
        if (e instanceof JsonMappingException) {
            return "does not have the expected structure" + at(e);
        }
        return "is not valid JSON" + at(e);
    }

    private static String at(JsonProcessingException e) {
        String where = where(e);
        return where.isEmpty() ? "" : " (" + where + ")";
    }

    /**
     * Refuses a document of more than {@link #MAX_VALUES} values in one streaming pass, before anything is bound.
     * Syntax errors are left to the binding pass, which reports them the same way.
     */
    public static void checkValues(byte[] json, String what) throws ImageException {
        int values = 0;
        try (JsonParser p = MAPPER.getFactory().createParser(json)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t != JsonToken.FIELD_NAME && t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY
                        && ++values > MAX_VALUES) {
                    throw new ImageException(what + " holds more than " + MAX_VALUES + " JSON values; no real "
                            + "image document is that large (a hostile one?)");
                }
            }
        } catch (java.io.IOException e) {
            if (e instanceof ImageException ie) {
                throw ie;
            }
            // not JSON: the binding pass says why
        }
    }

    /**
     * Where a JSON document went wrong, in our words: the field path (when binding failed) and the line and
     * column. Jackson's own message is not shown: it names Java types and its own settings
     * ("StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION disabled"). Empty when Jackson knows neither.
     */
    public static String where(JsonProcessingException e) {
        StringBuilder sb = new StringBuilder();
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference r : m.getPath()) {
                path.append('/').append(r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()));
            }
            sb.append("at ").append(path);
        }
        JsonLocation l = e.getLocation();
        if (l == null || l.getLineNr() < 1) {
            return sb.toString();
        }
        return sb.append(sb.length() > 0 ? ", " : "").append("line ").append(l.getLineNr()).append(", column ")
                .append(l.getColumnNr()).toString();
    }

    /** Compact JSON bytes, as registries and layouts store them. */
    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
