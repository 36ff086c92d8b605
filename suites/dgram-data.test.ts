import { describeArea } from './area-tests.ts';

describeArea('dgram-data');
