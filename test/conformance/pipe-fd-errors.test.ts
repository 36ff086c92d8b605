import { describeArea } from '../support/area-tests.ts';

describeArea('pipe-fd-errors');
