package io.agcgateway.retention;

import io.agcgateway.support.TestGateway;

class PurgeH2Test extends PurgeContract {
    @Override
    TestGateway.Store store() {
        return TestGateway.Store.H2;
    }
}
