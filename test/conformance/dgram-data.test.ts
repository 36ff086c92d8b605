import { describeArea } from '../support/area-tests.ts';

describeArea('dgram-data');
// The model's verdicts on hand-written datagram traces are in test/model/dgram*.test.ts.
