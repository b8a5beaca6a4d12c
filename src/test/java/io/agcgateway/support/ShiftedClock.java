package io.agcgateway.support;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The system clock plus a shift the test moves: a gateway started with it sees minutes pass at once. */
public final class ShiftedClock extends Clock {
    private volatile Duration shift = Duration.ZERO;

    public void advance(Duration d) {
        shift = shift.plus(d);
    }

    public void reset() {
        shift = Duration.ZERO;
    }

    @Override
    public ZoneOffset getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(shift);
    }
}
