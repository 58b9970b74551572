package dev.distill.admission;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * One JSON object per line: each decision, reload and life-cycle event, for a log collector to read. The server
 * prints nothing else; where the lines go (standard output in the command) is the caller's choice.
 */
final class DecisionLog {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Consumer<String> sink;
    private final Clock clock;

    DecisionLog(Consumer<String> sink, Clock clock) {
        this.sink = sink;
        this.clock = clock;
    }

    /** Writes one line: the time and event first, then the fields in the order given. */
    void event(String event, Map<String, ?> fields) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", clock.instant().toString());
        line.put("event", event);
        line.putAll(fields);
        String text = JSON.writeValueAsString(line);
        synchronized (this) {
            sink.accept(text);
        }
    }
}
