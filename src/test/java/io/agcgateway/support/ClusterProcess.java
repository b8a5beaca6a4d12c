package io.agcgateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real second (third...) JVM running ClusterNode; its output goes to target/cluster-logs/NAME.log. */
public final class ClusterProcess implements AutoCloseable {
    public final String name;
    public final int port;
    public final Process process;
    public final Path log;

    private ClusterProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts a node and waits until it serves HTTP. {@code env} adds/overrides GATEWAY_* variables. */
    public static ClusterProcess start(String name, Map<String, String> env, String... jvmArgs) {
        int port = TestGateway.freePort();
        try {
            Path logs = Files.createDirectories(Path.of("target", "cluster-logs"));
            Path log = logs.resolve(name + ".log");
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-Xmx384m");
            cmd.addAll(List.of(jvmArgs));
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(ClusterNode.class.getName());
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(TestGateway.tempDir().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("GATEWAY_PORT", String.valueOf(port));
            pb.environment().put("GATEWAY_HOST", "127.0.0.1");
            pb.environment().put("GATEWAY_PUBLIC_URL", "http://127.0.0.1:" + port);
            pb.environment().put("GATEWAY_DATA_DIR", TestGateway.tempDir().toString());
            pb.environment().putAll(env);
            Process p = pb.start();
            ClusterProcess node = new ClusterProcess(name, port, p, log);
            long deadline = System.currentTimeMillis() + 120_000;
            while (!node.output().contains("NODE-READY")) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("node " + name + " exited " + p.exitValue() + ":\n" + node.output());
                }
                if (System.currentTimeMillis() > deadline) {
                    p.destroyForcibly();
                    throw new IllegalStateException("node " + name + " did not start in 120 s:\n" + node.output());
                }
                Thread.sleep(100);
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public long pid() {
        return process.pid();
    }

    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGKILL: no shutdown hooks, no Quartz goodbye, the node just vanishes. */
    public void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
