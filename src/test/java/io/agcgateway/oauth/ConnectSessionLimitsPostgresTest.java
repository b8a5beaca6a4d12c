package io.agcgateway.oauth;

import io.agcgateway.support.TestGateway;

class ConnectSessionLimitsPostgresTest extends ConnectSessionLimitsContract {
    @Override
    TestGateway.Store store() {
        return TestGateway.Store.POSTGRES;
    }
}
