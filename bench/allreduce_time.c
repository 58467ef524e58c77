/* Time of one MPI_Allreduce (sum, in place) of COUNT floats between the ranks of an Open MPI job: the
 * communication of one data-parallel step of a model with COUNT parameters (docs/scale-out.md).
 * Build and run: mpicc -O2 bench/allreduce_time.c -o /tmp/allreduce_time
 *                mpirun --oversubscribe -np 2 --mca btl self,tcp --mca btl_tcp_if_include lo /tmp/allreduce_time 61706
 * (Debian: libopenmpi-dev for mpicc.) Prints the median over 200 repetitions after 20 warm-up calls. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    MPI_Init(&argc, &argv);
    int rank, size, count = argc > 1 ? atoi(argv[1]) : 61706, repetitions = 200;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    float *values = calloc(count, sizeof(float));
    double *times = malloc(repetitions * sizeof(double));
    for (int i = 0; i < 20; i++) MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
    for (int i = 0; i < repetitions; i++) {
        MPI_Barrier(MPI_COMM_WORLD);
        double start = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, values, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
        times[i] = MPI_Wtime() - start;
    }
    qsort(times, repetitions, sizeof(double), compare);
    if (rank == 0)
        printf("%d ranks, %d floats (%zu bytes): median %.3f ms, min %.3f ms per allreduce\n", size, count,
               count * sizeof(float), times[repetitions / 2] * 1e3, times[0] * 1e3);
    free(values); free(times);
    MPI_Finalize();
    return 0;
}
