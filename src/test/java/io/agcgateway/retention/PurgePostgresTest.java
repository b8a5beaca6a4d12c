package io.agcgateway.retention;

import io.agcgateway.support.TestGateway;

class PurgePostgresTest extends PurgeContract {
    @Override
    TestGateway.Store store() {
        return TestGateway.Store.POSTGRES;
    }
}
