import { describeArea } from '../support/area-tests.ts';

describeArea('connect-errors');
