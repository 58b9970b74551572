package dev.distill.oci.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
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

    /** Parses {@code json} as {@code type}; {@code what} names the document in the error. */
    public static <T> T read(byte[] json, Class<T> type, String what) throws ImageException {
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new ImageException(what + " is empty (JSON null)");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw new ImageException(what + " is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ImageException("cannot read " + what + ": " + e.getMessage(), e);
        }
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
