import { describeArea } from '../support/area-tests.ts';

describeArea('bind-errors');
