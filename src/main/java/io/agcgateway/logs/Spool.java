package io.agcgateway.logs;

import com.fasterxml.jackson.core.type.TypeReference;
import io.agcgateway.http.Json;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Operation rows kept on disk while the database is unreachable (issue 12: an outage used to cost every row written
 * during it). One JSON array per line, appended by the log's single writer thread; at most {@code maxBytes}, past
 * which rows are dropped (and counted by the caller). {@link #replay} writes them back, oldest first, once the
 * database takes a batch again; the file goes when it is empty. Rows hold no secret (the operation log redacts first).
 */
public final class Spool {
    private static final Logger LOG = LoggerFactory.getLogger(Spool.class);
    private static final TypeReference<List<Object>> ROW = new TypeReference<>() { };
    private final Path file;
    private final long maxBytes;

    public Spool(Path file, long maxBytes) {
        this.file = file;
        this.maxBytes = maxBytes;
    }

    /** Appends what fits under the size limit; returns how many rows were kept. Never throws: a full disk drops. */
    int append(List<Object[]> rows) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            long size = Files.exists(file) ? Files.size(file) : 0;
            int kept = 0;
            try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND)) {
                for (Object[] row : rows) {
                    String line = Json.write(row) + "\n";
                    size += line.getBytes(StandardCharsets.UTF_8).length;
                    if (size > maxBytes) {
                        break;
                    }
                    out.write(line);
                    kept++;
                }
            }
            return kept;
        } catch (IOException | RuntimeException e) {
            LOG.warn("operation log spool {} not writable: {}", file, e.getClass().getSimpleName());
            return 0;
        }
    }

    boolean hasRows() {
        return Files.exists(file);
    }

    /**
     * Writes the spooled rows through {@code insert} in batches of {@code batchSize}; the file is removed only after
     * every batch went in. A failing batch stops the replay and keeps the file (the next successful write retries; rows
     * of batches already written may then be written twice — an audit row twice beats a row lost).
     */
    int replay(Consumer<List<Object[]>> insert, int batchSize) {
        int written = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            List<Object[]> batch = new ArrayList<>(batchSize);
            for (String line; (line = in.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                batch.add(Json.MAPPER.readValue(line, ROW).toArray());
                if (batch.size() == batchSize) {
                    insert.accept(batch);
                    written += batch.size();
                    batch = new ArrayList<>(batchSize);
                }
            }
            if (!batch.isEmpty()) {
                insert.accept(batch);
                written += batch.size();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            LOG.warn("operation log spool replay stopped after {} row(s): {}", written, e.getClass().getSimpleName());
            return written;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("operation log spool {} not removed: {}", file, e.getClass().getSimpleName());
        }
        return written;
    }
}
