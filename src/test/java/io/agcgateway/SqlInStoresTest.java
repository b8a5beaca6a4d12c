package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each table's SQL lives in its *Store (issue 16 item 4): no other main class runs a statement. The one exception
 * is PgNotifyRelay, whose LISTEN/NOTIFY on its own connection is a channel, not a table.
 */
class SqlInStoresTest {
    private static final Pattern RUNS_SQL = Pattern.compile("JdbcTemplate|prepareStatement|createStatement|prepareCall");
    private static final Set<String> ALLOWED = Set.of("PgNotifyRelay.java");

    @Test
    void onlyStoresRunSql() throws Exception {
        List<String> offenders;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getFileName().toString().endsWith("Store.java"))
                    .filter(p -> !ALLOWED.contains(p.getFileName().toString()))
                    .filter(p -> {
                        try {
                            return RUNS_SQL.matcher(Files.readString(p)).find();
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(Path::toString).sorted().toList();
        }
        assertThat(offenders).as("classes running SQL outside a *Store").isEmpty();
    }
}
