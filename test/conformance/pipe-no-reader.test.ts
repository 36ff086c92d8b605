import { describeArea } from '../support/area-tests.ts';

describeArea('pipe-no-reader');
