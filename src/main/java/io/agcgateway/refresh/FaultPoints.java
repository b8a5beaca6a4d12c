package io.agcgateway.refresh;

/**
 * Test-only crash points, armed with -Dagc.fault=NAME on a gateway JVM started by a test.
 * Unset in production: the check is one static field read.
 */
public final class FaultPoints {
    private static final String ARMED = System.getProperty("agc.fault", "");

    private FaultPoints() {
    }

    /** Halts the JVM like kill -9 (no shutdown hooks) when this point is armed. */
    public static void crashIfArmed(String name) {
        if (!ARMED.isEmpty() && ARMED.equals(name)) {
            System.err.println("agc-gateway: fault point " + name + " reached: halting");
            Runtime.getRuntime().halt(137);
        }
    }
}
