package dev.logstream.kinesis.mock;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The round trips against kinesis-mock 0.6.2, with CBOR on (the SDK's default). */
class KinesisMockRoundTripTest extends EmulatorRoundTripContract {

  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.withStreams(STREAMS);

  @Override
  KinesisMockExtension kinesis() {
    return KINESIS;
  }
}
