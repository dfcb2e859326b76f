package dev.logstream.kinesis.mock;

import org.junit.jupiter.api.extension.RegisterExtension;

/** The round trips against kinesalite 3.3.3, a second, independent emulator, with CBOR off. */
class KinesaliteRoundTripTest extends EmulatorRoundTripContract {

  @RegisterExtension
  static final KinesisMockExtension KINESIS = KinesisMockExtension.kinesaliteWithStreams(STREAMS);

  @Override
  KinesisMockExtension kinesis() {
    return KINESIS;
  }
}
