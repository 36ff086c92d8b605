import { describeArea } from '../support/area-tests.ts';

describeArea('fifo-open');
