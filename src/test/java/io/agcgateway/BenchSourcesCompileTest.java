package io.agcgateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * The benchmark launchers (bench/*.java, run as single-file sources against the jar) compile against today's classes:
 * Maven does not build them, so a changed store signature once broke bench/proxy.sh without a failing test.
 */
class BenchSourcesCompileTest {
    @Test
    void benchSources_compileAgainstTheGatewayClasses() throws Exception {
        List<String> sources;
        try (Stream<Path> files = Files.list(Path.of("bench"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).map(Path::toString).sorted().toList();
        }
        assertThat(sources).as("bench/*.java").isNotEmpty();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path out = Files.createTempDirectory("bench-classes");
        List<String> args = new ArrayList<>(List.of("-d", out.toString(), "-cp", System.getProperty("java.class.path"),
                "-proc:none", "-Xlint:none"));
        for (String source : sources) {
            List<String> one = new ArrayList<>(args);
            one.add(source);
            ByteArrayOutputStream errors = new ByteArrayOutputStream();
            int rc = javac.run(null, null, errors, one.toArray(String[]::new));
            assertThat(rc).as(source + " compiles:\n" + errors.toString(StandardCharsets.UTF_8)).isZero();
        }
    }
}
