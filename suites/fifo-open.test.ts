import { describeArea } from './area-tests.ts';

describeArea('fifo-open');
